/**
 * A message as the customer sees it: an email with its subject, an SMS bubble, a push
 * notification. The text is shown as text (never as HTML), exactly as it was rendered.
 */
export interface MessageView {
  channel: string;
  to?: string | null;
  subject?: string | null;
  title?: string | null;
  body: string | null;
  ctaUrl?: string | null;
  offer?: string | null;
}

export function MessagePreview({ message, label }: { message: MessageView; label?: string }) {
  const kind = ["email", "sms", "push", "in_app", "chat"].includes(message.channel)
    ? message.channel
    : "other";
  return (
    <figure className={`message-preview message-${kind}`} aria-label={label ?? `${message.channel} message`}>
      <figcaption className="message-meta">
        <span className="badge tone-info">{message.channel}</span>
        {message.to && <span> to {message.to}</span>}
      </figcaption>
      {message.subject && (
        <div className="message-subject">
          <span className="visually-hidden">Subject: </span>
          {message.subject}
        </div>
      )}
      {message.title && <div className="message-subject">{message.title}</div>}
      <div className="message-body">{message.body ?? <em>no content</em>}</div>
      {message.ctaUrl && <div className="message-cta">Link: {message.ctaUrl}</div>}
      {message.offer && <div className="message-offer">Offer: {message.offer}</div>}
    </figure>
  );
}
