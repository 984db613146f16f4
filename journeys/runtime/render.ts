import { digPath, eventFieldValue } from "../format/field-path.ts";
import type { MessageContent, Offer } from "../format/schema.ts";
import type { CustomerSnapshot, InstanceState } from "./types.ts";

/**
 * Message rendering: `{{traits.first_name}}`, `{{trigger.properties.cart_id}}`, `{{offer.code}}`,
 * `{{vars.order.total}}`. Every placeholder is replaced (not only the first), and a value that is
 * missing renders as an empty string, never as the raw placeholder a customer would otherwise see.
 */

export interface TemplateRecord {
  id: string;
  channel: string;
  subject?: string | null | undefined;
  title?: string | null | undefined;
  body: string;
}

export interface RenderScope {
  customer: CustomerSnapshot;
  instance: Pick<InstanceState, "trigger" | "vars" | "variant" | "journeyId" | "nodeId">;
  offer?: Offer | undefined;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_$.-]*)\s*\}\}/g;

/** "10% off", "€5 off", "free shipping": what `{{offer.label}}` shows. */
export function offerLabel(offer: Offer): string {
  switch (offer.kind) {
    case "percent_off":
      return `${offer.value}% off`;
    case "amount_off":
      return `${offer.currency ? `${offer.value} ${offer.currency}` : offer.value} off`;
    case "free_shipping":
      return "free shipping";
  }
}

export function lookupPlaceholder(path: string, scope: RenderScope): unknown {
  const [namespace, ...keys] = path.split(".");
  switch (namespace) {
    case "traits":
      return digPath(scope.customer.traits, keys);
    case "consent":
      return digPath(scope.customer.consent, keys);
    case "vars":
      return digPath(scope.instance.vars, keys);
    case "trigger":
      return eventFieldValue(scope.instance.trigger, keys);
    case "user":
      return keys[0] === "id" ? scope.customer.userId : undefined;
    case "journey":
      if (keys[0] === "variant") return scope.instance.variant;
      if (keys[0] === "id") return scope.instance.journeyId;
      return undefined;
    case "offer":
      if (!scope.offer) return undefined;
      if (keys[0] === "label") return offerLabel(scope.offer);
      return digPath(scope.offer, keys);
    default:
      return undefined;
  }
}

function display(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(display).filter(Boolean).join(", ");
  // An object has no sensible text form; showing "[object Object]" or JSON to a customer is worse than nothing.
  return "";
}

export function renderText(text: string, scope: RenderScope): string {
  return text.replace(PLACEHOLDER, (_match, path: string) => display(lookupPlaceholder(path, scope)));
}

export function renderContent(content: MessageContent, scope: RenderScope): MessageContent {
  const rendered: MessageContent = { body: renderText(content.body, scope) };
  if (content.subject !== undefined) rendered.subject = renderText(content.subject, scope);
  if (content.title !== undefined) rendered.title = renderText(content.title, scope);
  if (content.cta_url !== undefined) rendered.cta_url = renderText(content.cta_url, scope);
  return rendered;
}

export function templateContent(template: TemplateRecord): MessageContent {
  const content: MessageContent = { body: template.body };
  if (template.subject) content.subject = template.subject;
  if (template.title) content.title = template.title;
  return content;
}

/** The address a channel delivers to, from the customer's traits (undefined: the adapter decides). */
export function recipientFor(channel: string, customer: CustomerSnapshot): string | undefined {
  const pick = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  switch (channel) {
    case "email":
      return pick(customer.traits.email);
    case "sms":
      return pick(customer.traits.phone);
    case "push":
      return pick(customer.traits.push_token) ?? customer.userId ?? undefined;
    case "in_app":
    case "chat":
      return customer.userId ?? undefined;
    default:
      return undefined;
  }
}
