import type { ConsentMap } from "./consent.ts";
import { mergeConsent } from "./consent.ts";
import type { SegmentCall } from "./messages.ts";

/**
 * Identity resolution for one batch, in memory: the batch's identities and profiles are loaded
 * (and locked) up front, every call is resolved in order against this graph, and the outcome is
 * written back with a handful of set-based statements. Rules (docs/ingestion.md):
 *
 * - A call with a userId belongs to that user's profile; one with only an anonymousId to the
 *   anonymous visitor's profile. Profiles are created on first sight.
 * - A call carrying both links them: an anonymous profile is merged into the user's (its events,
 *   identities, traits and consent move; the user's traits win on conflict; an opt-out on either
 *   side wins), or, when the user has no profile yet, the anonymous profile becomes the user's.
 *   Two identified profiles are never merged implicitly: an anonymousId already owned by another
 *   user stays with that user.
 * - alias(previousId → userId) is an explicit instruction: the profile known by previousId (as a
 *   user id or an anonymous id) is merged into the user's, even when it was identified, or renamed
 *   to the new userId when the user has no profile yet.
 */

export type IdentityKind = "user_id" | "anonymous_id";

export interface StoredProfile {
  id: number;
  userId: string | null;
  /** null: not loaded (the batch has no call that could change or merge this profile) */
  traits: Record<string, unknown> | null;
  consent: ConsentMap | null;
  lastEventAt: Date | null;
  mergedInto: number | null;
}

/**
 * `last_event_at` ("last seen") is written when it moves by at least this much: a burst of events of
 * one customer (a session) costs one profile write instead of one per event.
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Traits and consent of a profile whose stored state was not loaded: never read, never written. */
const NOT_LOADED: Readonly<Record<string, never>> = Object.freeze({});

/** A batch tried to change a profile whose traits were not loaded: a bug in choosing what to load. */
export class ProfileNotLoadedError extends Error {
  readonly code = "profile_not_loaded";
  constructor(profileId: number | null) {
    super(`internal: ingestion would change profile ${profileId} without having loaded its traits`);
    this.name = "ProfileNotLoadedError";
  }
}

export interface ProfileState {
  /** null until a new profile gets its database id */
  dbId: number | null;
  userId: string | null;
  traits: Record<string, unknown>;
  consent: ConsentMap;
  lastEventAt: Date | null;
  /** last_event_at as stored (null for new profiles) */
  storedLastEventAt: Date | null;
  mergedInto: ProfileState | null;
  /** traits and consent are the stored ones (or the profile is new); false: they were not loaded */
  loaded: boolean;
  /** a stored profile whose identity, traits, consent or merge state changed */
  dirty: boolean;
}

export const identityKey = (kind: IdentityKind, value: string) => `${kind}:${value}`;

/** The identities a call may resolve through (for locking and loading them). */
export function identitiesOf(call: SegmentCall): Array<{ kind: IdentityKind; value: string }> {
  const keys: Array<{ kind: IdentityKind; value: string }> = [];
  if (call.userId) keys.push({ kind: "user_id", value: call.userId });
  if (call.anonymousId) keys.push({ kind: "anonymous_id", value: call.anonymousId });
  if (call.previousId) {
    keys.push({ kind: "user_id", value: call.previousId });
    keys.push({ kind: "anonymous_id", value: call.previousId });
  }
  return keys;
}

export class IdentityGraph {
  private readonly byDbId = new Map<number, ProfileState>();
  private readonly identities = new Map<string, ProfileState>();
  private readonly added = new Map<string, { kind: IdentityKind; value: string; profile: ProfileState }>();
  private readonly created: ProfileState[] = [];
  /** stored profiles merged away in this batch, in order */
  private readonly mergedStored: ProfileState[] = [];

  constructor(
    stored: Iterable<StoredProfile>,
    identities: Iterable<{ kind: IdentityKind; value: string; profileId: number }>,
  ) {
    for (const profile of stored) {
      const loaded = profile.traits !== null && profile.consent !== null;
      this.byDbId.set(profile.id, {
        dbId: profile.id,
        userId: profile.userId,
        traits: profile.traits ?? NOT_LOADED,
        consent: profile.consent ?? NOT_LOADED,
        lastEventAt: profile.lastEventAt,
        storedLastEventAt: profile.lastEventAt,
        mergedInto: null,
        loaded,
        dirty: false,
      });
    }
    for (const profile of stored) {
      if (profile.mergedInto !== null) {
        const target = this.byDbId.get(profile.mergedInto);
        if (target) this.byDbId.get(profile.id)!.mergedInto = target;
      }
    }
    for (const identity of identities) {
      const profile = this.byDbId.get(identity.profileId);
      if (profile) this.identities.set(identityKey(identity.kind, identity.value), profile);
    }
  }

  static live(profile: ProfileState): ProfileState {
    let current = profile;
    while (current.mergedInto) current = current.mergedInto;
    return current;
  }

  private find(kind: IdentityKind, value: string): ProfileState | null {
    const profile = this.identities.get(identityKey(kind, value));
    return profile ? IdentityGraph.live(profile) : null;
  }

  private attach(kind: IdentityKind, value: string, profile: ProfileState) {
    const key = identityKey(kind, value);
    const current = this.identities.get(key);
    if (current && IdentityGraph.live(current) === profile) return;
    this.identities.set(key, profile);
    this.added.set(key, { kind, value, profile });
  }

  private create(userId: string | null): ProfileState {
    const profile: ProfileState = {
      dbId: null,
      userId,
      traits: {},
      consent: {},
      lastEventAt: null,
      storedLastEventAt: null,
      mergedInto: null,
      loaded: true,
      dirty: false,
    };
    this.created.push(profile);
    return profile;
  }

  private setUserId(profile: ProfileState, userId: string) {
    requireLoaded(profile);
    profile.userId = userId;
    profile.dirty = true;
  }

  /**
   * Merges `from` into `into` (the user's side wins traits); returns the survivor. When `into` is
   * only in memory and `from` is stored, the stored row survives with the combined state: same
   * outcome, one row fewer, and stored profile ids stay stable.
   */
  private merge(from: ProfileState, into: ProfileState): ProfileState {
    requireLoaded(from);
    requireLoaded(into);
    const combined = {
      userId: into.userId ?? from.userId,
      traits: { ...from.traits, ...into.traits },
      consent: mergeConsent(from.consent, into.consent),
      lastEventAt: latest(from.lastEventAt, into.lastEventAt),
    };
    const [survivor, loser] = into.dbId === null && from.dbId !== null ? [from, into] : [into, from];
    Object.assign(survivor, combined, { dirty: true });
    loser.mergedInto = survivor;
    if (loser.dbId !== null) {
      loser.dirty = true;
      this.mergedStored.push(loser);
    }
    return survivor;
  }

  /** The live profile a call belongs to (after any creation or merge it causes), and its traits before. */
  resolve(call: SegmentCall): { profile: ProfileState; traitsBefore: Record<string, unknown> } {
    if (call.type === "alias") return this.resolveAlias(call.previousId!, call.userId!);
    const { userId, anonymousId } = call;
    if (!userId) {
      const anonymous = this.find("anonymous_id", anonymousId!);
      const profile = anonymous ?? this.create(null);
      this.attach("anonymous_id", anonymousId!, profile);
      return { profile, traitsBefore: profile.traits };
    }
    const user = this.find("user_id", userId);
    const anonymous = anonymousId ? this.find("anonymous_id", anonymousId) : null;
    if (user) {
      const before = user.traits;
      let profile = user;
      if (anonymous && anonymous !== user && anonymous.userId === null) profile = this.merge(anonymous, user);
      if (anonymousId && (!anonymous || anonymous.userId === null || anonymous === profile)) {
        this.attach("anonymous_id", anonymousId, profile);
      }
      return { profile, traitsBefore: before };
    }
    if (anonymous && anonymous.userId === null) {
      // the visitor signs up: their anonymous profile becomes the user's
      const before = anonymous.traits;
      this.setUserId(anonymous, userId);
      this.attach("user_id", userId, anonymous);
      return { profile: anonymous, traitsBefore: before };
    }
    const profile = this.create(userId);
    this.attach("user_id", userId, profile);
    if (anonymousId && !anonymous) this.attach("anonymous_id", anonymousId, profile);
    return { profile, traitsBefore: profile.traits };
  }

  private resolveAlias(previousId: string, userId: string) {
    const previous = this.find("user_id", previousId) ?? this.find("anonymous_id", previousId);
    const user = this.find("user_id", userId);
    if (user && previous && previous !== user) {
      const before = user.traits;
      return { profile: this.merge(previous, user), traitsBefore: before };
    }
    if (user) {
      if (!previous) this.attach("anonymous_id", previousId, user);
      return { profile: user, traitsBefore: user.traits };
    }
    if (previous) {
      const before = previous.traits;
      this.setUserId(previous, userId);
      this.attach("user_id", userId, previous);
      return { profile: previous, traitsBefore: before };
    }
    const profile = this.create(userId);
    this.attach("user_id", userId, profile);
    this.attach("anonymous_id", previousId, profile);
    return { profile, traitsBefore: profile.traits };
  }

  applyTraits(profile: ProfileState, traits: Record<string, unknown>) {
    if (Object.keys(traits).length === 0) return;
    requireLoaded(profile);
    profile.traits = { ...profile.traits, ...traits };
    profile.dirty = true;
  }

  applyConsent(profile: ProfileState, updates: ConsentMap) {
    if (Object.keys(updates).length === 0) return;
    requireLoaded(profile);
    const entries = Object.entries(updates).filter(
      ([channel, granted]) => profile.consent[channel] !== granted,
    );
    if (entries.length === 0) return;
    profile.consent = { ...profile.consent, ...Object.fromEntries(entries) };
    profile.dirty = true;
  }

  touch(profile: ProfileState, at: Date) {
    profile.lastEventAt = latest(profile.lastEventAt, at);
  }

  /** New profiles that survived the batch (merged-away new ones are never written). */
  newProfiles(): ProfileState[] {
    return this.created.filter((profile) => profile.mergedInto === null);
  }

  /**
   * Stored profiles to write back: changed survivors and merged-away rows, and profiles whose last
   * event moved past the stored one by at least LAST_SEEN_RESOLUTION_MS.
   */
  changedStoredProfiles(): ProfileState[] {
    return [...this.byDbId.values()].filter((profile) => {
      if (profile.dirty) return requireLoaded(profile);
      return lastSeenMoved(profile);
    });
  }

  /** Stored profiles merged away, each with the stored profile it now lives in. */
  storedMerges(): Array<{ from: ProfileState; into: ProfileState }> {
    return this.mergedStored.map((from) => ({ from, into: IdentityGraph.live(from) }));
  }

  /** Identities to insert or re-point, each with its live profile. */
  addedIdentities(): Array<{ kind: IdentityKind; value: string; profile: ProfileState }> {
    return [...this.added.values()].map((entry) => ({
      ...entry,
      profile: IdentityGraph.live(entry.profile),
    }));
  }
}

/** Whether a profile's last_event_at is worth writing (it moved by at least the resolution). */
export function lastSeenMoved(profile: ProfileState): boolean {
  if (!profile.lastEventAt) return false;
  if (!profile.storedLastEventAt) return true;
  return profile.lastEventAt.getTime() - profile.storedLastEventAt.getTime() >= LAST_SEEN_RESOLUTION_MS;
}

function requireLoaded(profile: ProfileState): true {
  if (!profile.loaded) throw new ProfileNotLoadedError(profile.dbId);
  return true;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
