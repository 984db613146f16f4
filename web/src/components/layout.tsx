import type { ReactNode } from "react";
import type { OperationKey } from "../api/permissions.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { ROLE_LABELS, useSession, useSessionApi } from "../session/session.tsx";

/** Every page the console has, with the API route whose roles decide whether the nav shows it. */
export const PAGES: Array<{ path: string; label: string; needs: OperationKey }> = [
  { path: "/compose", label: "Compose", needs: "POST /designs" },
  { path: "/journeys", label: "Journeys", needs: "GET /journeys" },
  { path: "/approvals", label: "Approvals", needs: "GET /approvals" },
  { path: "/customers", label: "Customers", needs: "GET /profiles" },
  { path: "/conflicts", label: "Conflicts", needs: "GET /conflicts" },
  { path: "/outbox", label: "Outbox", needs: "GET /outbox" },
  { path: "/policies", label: "Policies", needs: "GET /policies" },
];

export function Layout({ children }: { children: ReactNode }) {
  const { workspace, permissions } = useSession();
  const { signOut } = useSessionApi();
  const { pathname } = useLocation();
  const pages = PAGES.filter((page) => permissions.can(page.needs));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Overture</span>
        <span className="workspace-name">{workspace.name}</span>
        <span className="role" data-testid="role">
          Signed in as <strong>{ROLE_LABELS[workspace.role] ?? workspace.role}</strong>
        </span>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            signOut();
            navigate("/sign-in");
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {pages.map((page) => {
            const current = pathname === page.path || pathname.startsWith(`${page.path}/`);
            return (
              <li key={page.path}>
                <Link to={page.path} aria-current={current ? "page" : undefined}>
                  {page.label}
                </Link>
              </li>
            );
          })}
        </ul>
        <p className="nav-footer">
          <a href="/docs">API explorer</a>
        </p>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
