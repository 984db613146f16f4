import { describe, expect, it } from "vitest";
import type { IdentityKind, StoredProfile } from "./identity.ts";
import { IdentityGraph, ProfileNotLoadedError } from "./identity.ts";
import { profilesToLoad } from "./lookup.ts";
import { validateCalls } from "./messages.ts";

/** The choice of profiles whose traits ingestion reads: everything a call may change, nothing else. */

const calls = (raw: unknown[]) =>
  validateCalls(raw, { receivedAt: new Date("2026-03-02T09:00:00Z"), mode: "batch" });

const stored = (id: number, userId: string | null, mergedInto: number | null = null): StoredProfile => ({
  id,
  userId,
  traits: null,
  consent: null,
  lastEventAt: null,
  mergedInto,
});

const profiles = new Map<number, StoredProfile>([
  [1, stored(1, "ann")],
  [2, stored(2, null)],
  [3, stored(3, "bob")],
  [4, stored(4, null, 3)],
]);
const identities: Array<{ kind: IdentityKind; value: string; profileId: number }> = [
  { kind: "user_id", value: "ann", profileId: 1 },
  { kind: "anonymous_id", value: "ann-phone", profileId: 1 },
  { kind: "anonymous_id", value: "visitor", profileId: 2 },
  { kind: "user_id", value: "bob", profileId: 3 },
  { kind: "anonymous_id", value: "bob-old", profileId: 4 },
];

describe("profilesToLoad", () => {
  it("loads nothing for track and page calls of known customers, even with an anonymousId they already own", () => {
    const batch = calls([
      { type: "track", userId: "ann", event: "Product Viewed" },
      { type: "track", userId: "ann", anonymousId: "ann-phone", event: "Product Viewed" },
      { type: "page", anonymousId: "visitor", name: "Home" },
      { type: "identify", userId: "bob" },
      { type: "track", userId: "new-user", event: "Signed Up" },
    ]);
    expect(profilesToLoad(batch, profiles, identities)).toEqual([]);
  });

  it("loads the profiles (and merge chains) of calls that change traits or consent, merge or sign up", () => {
    expect(
      profilesToLoad(
        calls([{ type: "identify", userId: "ann", traits: { plan: "pro" } }]),
        profiles,
        identities,
      ),
    ).toEqual([1]);
    expect(
      profilesToLoad(calls([{ type: "track", userId: "ann", event: "Unsubscribed" }]), profiles, identities),
    ).toEqual([1]);
    expect(
      profilesToLoad(
        calls([
          {
            type: "track",
            anonymousId: "visitor",
            event: "x",
            context: { consent: { categoryPreferences: { Email: true } } },
          },
        ]),
        profiles,
        identities,
      ),
    ).toEqual([2]);
    // an anonymous id on another profile meets a user id: a possible merge
    expect(
      profilesToLoad(
        calls([{ type: "track", userId: "ann", anonymousId: "visitor", event: "x" }]),
        profiles,
        identities,
      ).sort(),
    ).toEqual([1, 2]);
    // a visitor signing up: their profile becomes the user's
    expect(
      profilesToLoad(
        calls([{ type: "identify", userId: "carol", anonymousId: "visitor" }]),
        profiles,
        identities,
      ),
    ).toEqual([2]);
    // alias reaches the merged-away profile and its survivor
    expect(
      profilesToLoad(
        calls([{ type: "alias", previousId: "bob-old", userId: "ann" }]),
        profiles,
        identities,
      ).sort(),
    ).toEqual([1, 3, 4]);
  });

  it("is what the identity graph needs: changing a profile that was not loaded is refused", () => {
    const graph = new IdentityGraph(profiles.values(), identities);
    const [identify] = calls([{ type: "identify", userId: "ann", traits: { plan: "pro" } }]);
    const { profile } = graph.resolve(identify!);
    expect(() => graph.applyTraits(profile, { plan: "pro" })).toThrow(ProfileNotLoadedError);
  });
});
