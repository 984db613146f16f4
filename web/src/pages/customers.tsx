import type { FormEvent } from "react";
import { useId, useState } from "react";
import type { ProfileSummary } from "../api/schemas.ts";
import { DateTime, Empty, ErrorNotice, Loading, PageHeading } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/** Customer search: by user id, anonymous id, or part of an email or name. */
export function CustomersPage() {
  const { client } = useSession();
  const { search } = useLocation();
  const query = search.get("q") ?? "";
  const [text, setText] = useState(query);
  const [more, setMore] = useState<{ profiles: ProfileSummary[]; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const inputId = useId();

  const page = useAsync(() => client.profiles({ q: query || undefined, limit: 50 }), [client, query]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setMore(null);
    navigate(text.trim() ? `/customers?q=${encodeURIComponent(text.trim())}` : "/customers");
  }

  async function loadMore() {
    const cursor = more ? more.cursor : page.data?.nextCursor;
    if (!cursor) return;
    try {
      const next = await client.profiles({ q: query || undefined, limit: 50, cursor });
      setMore({ profiles: [...(more?.profiles ?? []), ...next.profiles], cursor: next.nextCursor });
    } catch (error) {
      setMoreError(error);
    }
  }

  const profiles = [...(page.data?.profiles ?? []), ...(more?.profiles ?? [])];
  const cursor = more ? more.cursor : page.data?.nextCursor;
  return (
    <>
      <PageHeading>Customers</PageHeading>
      <search>
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor={inputId}>Find a customer</label>
          <input
            id={inputId}
            type="search"
            value={text}
            placeholder="user id, email or name"
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit" className="button primary">
            Search
          </button>
        </form>
      </search>
      <ErrorNotice error={page.error} title="The search failed" />
      {page.loading && !page.data && <Loading what="customers" />}
      {page.data && profiles.length === 0 && <Empty>No customer matches “{query}”.</Empty>}
      {profiles.length > 0 && (
        <table className="data-table">
          <caption className="visually-hidden">
            {query ? `Customers matching ${query}` : "Customers, most recently created first"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">User id</th>
              <th scope="col">Email</th>
              <th scope="col">Last event</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((profile) => {
              const id = profile.userId ?? profile.anonymousIds[0] ?? "";
              return (
                <tr key={profile.profileId}>
                  <td>
                    <Link to={`/customers/${encodeURIComponent(id)}`}>{profile.name ?? id}</Link>
                  </td>
                  <td>
                    <code>{profile.userId ?? "anonymous"}</code>
                  </td>
                  <td>{profile.email ?? "—"}</td>
                  <td>
                    <DateTime value={profile.lastEventAt} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ErrorNotice error={moreError} title="More customers could not be loaded" />
      {cursor && (
        <button type="button" className="button secondary" onClick={loadMore}>
          Show more customers
        </button>
      )}
    </>
  );
}
