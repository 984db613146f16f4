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
  traits: Record<string, unknown>;
  consent: ConsentMap;
  lastEventAt: Date | null;
  mergedInto: number | null;
}

export interface ProfileState {
  /** null until a new profile gets its database id */
  dbId: number | null;
  userId: string | null;
  traits: Record<string, unknown>;
  consent: ConsentMap;
  lastEventAt: Date | null;
  mergedInto: ProfileState | null;
  /** a stored profile whose identity, traits, consent or merge state changed */
  dirty: boolean;
  /** a stored profile whose last_event_at moved (written back without bumping updated_at) */
  touched: boolean;
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
      this.byDbId.set(profile.id, {
        dbId: profile.id,
        userId: profile.userId,
        traits: profile.traits,
        consent: profile.consent,
        lastEventAt: profile.lastEventAt,
        mergedInto: null,
        dirty: false,
        touched: false,
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
      mergedInto: null,
      dirty: false,
      touched: false,
    };
    this.created.push(profile);
    return profile;
  }

  private setUserId(profile: ProfileState, userId: string) {
    profile.userId = userId;
    profile.dirty = true;
  }

  /**
   * Merges `from` into `into` (the user's side wins traits); returns the survivor. When `into` is
   * only in memory and `from` is stored, the stored row survives with the combined state: same
   * outcome, one row fewer, and stored profile ids stay stable.
   */
  private merge(from: ProfileState, into: ProfileState): ProfileState {
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
    profile.traits = { ...profile.traits, ...traits };
    profile.dirty = true;
  }

  applyConsent(profile: ProfileState, updates: ConsentMap) {
    const entries = Object.entries(updates).filter(
      ([channel, granted]) => profile.consent[channel] !== granted,
    );
    if (entries.length === 0) return;
    profile.consent = { ...profile.consent, ...Object.fromEntries(entries) };
    profile.dirty = true;
  }

  touch(profile: ProfileState, at: Date) {
    const next = latest(profile.lastEventAt, at);
    if (next !== profile.lastEventAt) {
      profile.lastEventAt = next;
      profile.touched = true;
    }
  }

  /** New profiles that survived the batch (merged-away new ones are never written). */
  newProfiles(): ProfileState[] {
    return this.created.filter((profile) => profile.mergedInto === null);
  }

  /** Stored profiles to write back: changed or touched survivors and merged-away rows. */
  changedStoredProfiles(): ProfileState[] {
    return [...this.byDbId.values()].filter((profile) => profile.dirty || profile.touched);
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

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
