import type { ReactNode } from "react";
import { useId, useState } from "react";
import { CHANNELS, MESSAGE_CHANNELS } from "../../../journeys/format/schema.ts";
import type { Path } from "./draft.ts";
import { getAt, isObject } from "./draft.ts";
import {
  ChoiceSet,
  choiceLabel,
  DurationField,
  ListField,
  NumberField,
  SelectField,
  TextField,
  usePolicyForm,
} from "./fields.tsx";

/** The guardrails about when and how often a customer may be contacted: consent, quiet hours, caps. */

export function PolicySection({
  id,
  title,
  summary,
  children,
}: {
  id: string;
  title: string;
  summary: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="policy-section panel" aria-labelledby={`section-${id}`}>
      <h2 id={`section-${id}`}>{title}</h2>
      <p className="help section-summary">{summary}</p>
      {children}
    </section>
  );
}

/** Adds an entry to a per-channel map (quiet windows, caps) for a channel that has none yet. */
function AddChannelEntry({
  label,
  taken,
  channels,
  onAdd,
}: {
  label: string;
  taken: readonly string[];
  channels: readonly string[];
  onAdd: (channel: string) => void;
}) {
  const free = channels.filter((channel) => !taken.includes(channel));
  const [choice, setChoice] = useState(free[0] ?? "");
  const selectId = useId();
  if (free.length === 0) return null;
  const chosen = free.includes(choice) ? choice : (free[0] ?? "");
  return (
    <div className="inline-form add-entry">
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} value={chosen} onChange={(event) => setChoice(event.target.value)}>
        {free.map((channel) => (
          <option key={channel} value={channel}>
            {choiceLabel(channel)}
          </option>
        ))}
      </select>
      <button type="button" className="button secondary small-button" onClick={() => onAdd(chosen)}>
        Add
      </button>
    </div>
  );
}

export function ConsentSection() {
  return (
    <PolicySection
      id="consent"
      title="Consent"
      summary="An explicit opt-out always stops a message on that channel. These channels also need an explicit opt-in."
    >
      <div className="field-row">
        <ChoiceSet path={["consent_required"]} legend="Channels that need an opt-in" choices={CHANNELS} />
        <ChoiceSet
          path={["transactional_consent_exempt"]}
          legend="Channels where service (transactional) messages need no opt-in"
          choices={MESSAGE_CHANNELS}
        />
      </div>
    </PolicySection>
  );
}

const QUIET_ACTIONS = [
  ["defer", "hold until the window ends"],
  ["deny", "drop the message"],
] as const;

function RollingWindows({ path, what }: { path: Path; what: string }) {
  const form = usePolicyForm();
  const list = getAt(form.draft, path);
  const windows = Array.isArray(list) ? list : [];
  return (
    <div className="rolling-windows">
      {windows.map((_, index) => (
        // windows have no identity of their own: a removal renumbers them, so the rows remount
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <div className="field-row entry-row" key={`${index}/${windows.length}`}>
          <NumberField path={[...path, index, "max"]} label={`${what}: at most`} min={1} step={1} />
          <DurationField path={[...path, index, "window"]} label={`${what}: within`} />
          <button type="button" className="button link" onClick={() => form.set([...path, index], undefined)}>
            Remove <span className="visually-hidden">{`${what} rolling window ${index + 1}`}</span>
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button secondary small-button"
        onClick={() => form.set([...path, windows.length], { max: 10, window: "P7D" })}
      >
        Add a rolling window <span className="visually-hidden">for {what}</span>
      </button>
    </div>
  );
}

export function QuietHoursSection() {
  const form = usePolicyForm();
  const perChannel = getAt(form.draft, ["quiet_hours", "per_channel"]);
  const overrides = isObject(perChannel) ? Object.keys(perChannel) : [];
  return (
    <PolicySection
      id="quiet-hours"
      title="Quiet hours"
      summary="Nothing is sent in this window of the customer's own clock. A customer whose time zone is unknown is handled as set below: never sent at night by guesswork."
    >
      <div className="field-row">
        <TextField path={["quiet_hours", "start"]} label="Quiet hours start" type="time" width="short" />
        <TextField path={["quiet_hours", "end"]} label="Quiet hours end" type="time" width="short" />
        <SelectField path={["quiet_hours", "action"]} label="Inside the window" options={QUIET_ACTIONS} />
      </div>
      <ChoiceSet
        path={["quiet_hours", "channels"]}
        legend="Channels the window applies to"
        choices={MESSAGE_CHANNELS}
        help="None ticked switches quiet hours off (hand-offs are never held)."
      />
      <h3>Windows for single channels</h3>
      {overrides.length === 0 && <p className="help">Every channel above uses the window above.</p>}
      {overrides.map((channel) => (
        <div className="field-row entry-row" key={channel}>
          <TextField
            path={["quiet_hours", "per_channel", channel, "start"]}
            label={`${choiceLabel(channel)} quiet hours start`}
            type="time"
            width="short"
          />
          <TextField
            path={["quiet_hours", "per_channel", channel, "end"]}
            label={`${choiceLabel(channel)} quiet hours end`}
            type="time"
            width="short"
          />
          <SelectField
            path={["quiet_hours", "per_channel", channel, "action"]}
            label={`${choiceLabel(channel)}: inside the window`}
            options={QUIET_ACTIONS}
            unset="default (hold)"
          />
          <button
            type="button"
            className="button link"
            onClick={() => form.set(["quiet_hours", "per_channel", channel], undefined)}
          >
            Remove <span className="visually-hidden">the {channel} window</span>
          </button>
        </div>
      ))}
      <AddChannelEntry
        label="Add a window for"
        taken={overrides}
        channels={MESSAGE_CHANNELS}
        onAdd={(channel) =>
          form.set(["quiet_hours", "per_channel", channel], { start: "20:00", end: "09:00", action: "defer" })
        }
      />
      <h3>Unknown time zone</h3>
      <div className="field-row">
        <SelectField
          path={["quiet_hours", "unknown_timezone", "action"]}
          label="When the customer's zone is unknown"
          options={[
            ["review", "a person decides"],
            ["defer", "hold until it is daytime in every assumed zone"],
          ]}
        />
        <ListField
          path={["quiet_hours", "unknown_timezone", "assume_timezones"]}
          label="Assumed zones (the workspace's markets)"
          help="IANA names such as Europe/Berlin, one per line; needed for “hold”."
          rows={2}
        />
      </div>
    </PolicySection>
  );
}

export function FrequencySection() {
  const form = usePolicyForm();
  const perChannel = getAt(form.draft, ["frequency_cap", "per_channel"]);
  const capped = isObject(perChannel) ? Object.keys(perChannel) : [];
  return (
    <PolicySection
      id="frequency"
      title="Frequency caps"
      summary="How many messages a customer gets: per calendar day in their zone and within rolling windows. The global cap counts the channels ticked together; a channel's own cap counts only that channel. The stricter one decides."
    >
      <div className="field-row">
        <NumberField
          path={["frequency_cap", "per_local_day"]}
          label="At most per day (all channels)"
          min={1}
          step={1}
        />
        <SelectField
          path={["frequency_cap", "action"]}
          label="Over the cap"
          options={[
            ["deny", "drop the message"],
            ["defer", "hold until the cap frees up"],
          ]}
        />
      </div>
      <RollingWindows path={["frequency_cap", "rolling"]} what="All channels" />
      <div className="field-row">
        <ChoiceSet
          path={["frequency_cap", "channels"]}
          legend="Channels the global cap counts"
          choices={MESSAGE_CHANNELS}
        />
        <ChoiceSet
          path={["frequency_cap", "exempt_categories"]}
          legend="Not held by caps (their sends still count)"
          choices={["transactional", "promotional"]}
        />
      </div>
      <h3>Caps for single channels</h3>
      {capped.length === 0 && <p className="help">No channel has a cap of its own.</p>}
      {capped.map((channel) => (
        <div className="channel-cap" key={channel}>
          <div className="field-row entry-row">
            <NumberField
              path={["frequency_cap", "per_channel", channel, "per_local_day"]}
              label={`${choiceLabel(channel)}: at most per day`}
              min={1}
              step={1}
            />
            <button
              type="button"
              className="button link"
              onClick={() => form.set(["frequency_cap", "per_channel", channel], undefined)}
            >
              Remove <span className="visually-hidden">the {channel} cap</span>
            </button>
          </div>
          <RollingWindows
            path={["frequency_cap", "per_channel", channel, "rolling"]}
            what={choiceLabel(channel)}
          />
        </div>
      ))}
      <AddChannelEntry
        label="Add a cap for"
        taken={capped}
        channels={MESSAGE_CHANNELS}
        onAdd={(channel) => form.set(["frequency_cap", "per_channel", channel], { per_local_day: 1 })}
      />
    </PolicySection>
  );
}
