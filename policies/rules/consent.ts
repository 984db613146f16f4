import type { PolicyCheck } from "./verdict.ts";
import { allow, channelLabel, deny, effectiveCategory, isMessageChannel } from "./verdict.ts";

/**
 * Consent per channel. An explicit opt-out (`consent.<channel> = false`) always denies a message;
 * channels in `consent_required` also need an explicit opt-in (absent = no). A hand-off is internal
 * work for a person, so it is only consent-gated when "handoff" is listed in `consent_required`.
 * Webhooks and tools reach no customer and are not consent-gated.
 */
export const consentPolicy: PolicyCheck = (action, context, config) => {
  const channel = action.channel;
  const required = config.consent_required.includes(channel as (typeof config.consent_required)[number]);
  const label = channelLabel(channel);
  if (channel === "handoff" && !required) {
    return allow("consent", "A hand-off is internal work for an agent and needs no customer consent.");
  }
  if (!isMessageChannel(channel) && channel !== "handoff") {
    return allow("consent", `${label} reaches no customer directly, so consent does not apply.`);
  }
  const given = context.consent[channel];
  if (given === false) {
    return deny("consent", `${label} is denied: the customer opted out of ${channel}.`, {
      channel,
      consent: false,
    });
  }
  if (!required) {
    return allow("consent", `${label} needs no opt-in in this workspace and the customer has not opted out.`);
  }
  if (given === true) {
    return allow("consent", `The customer opted in to ${channel}.`, { channel, consent: true });
  }
  const exempt =
    effectiveCategory(action) === "transactional" &&
    config.transactional_consent_exempt.includes(channel as (typeof config.consent_required)[number]);
  if (exempt) {
    return allow(
      "consent",
      `${label} is transactional and this workspace sends transactional ${channel} without an opt-in; the customer has not opted out.`,
      { channel, consent: null, transactionalExempt: true },
    );
  }
  return deny(
    "consent",
    `${label} is denied: ${channel} needs an explicit opt-in and the customer has not given one.`,
    { channel, consent: null },
  );
};
