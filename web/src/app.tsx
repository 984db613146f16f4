import type { ReactNode } from "react";
import type { OperationKey } from "./api/permissions.ts";
import { Layout, PAGES } from "./components/layout.tsx";
import { Loading, PageHeading } from "./components/ui.tsx";
import { ApprovalsPage } from "./pages/approvals.tsx";
import { ComposePage } from "./pages/compose.tsx";
import { ConflictsPage } from "./pages/conflicts.tsx";
import { CustomerPage } from "./pages/customer.tsx";
import { CustomersPage } from "./pages/customers.tsx";
import { JourneyPage } from "./pages/journey.tsx";
import { JourneysPage } from "./pages/journeys.tsx";
import { OutboxPage } from "./pages/outbox.tsx";
import { PoliciesPage } from "./pages/policies.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { Link, matchPath, Redirect, useLocation } from "./router.tsx";
import { useSession, useSessionApi } from "./session/session.tsx";

/** Where each role starts: the work that role comes for. */
const LANDING: Record<string, string> = {
  admin: "/journeys",
  cx_lead: "/compose",
  reviewer: "/approvals",
  viewer: "/journeys",
};

interface RouteDefinition {
  pattern: string;
  needs: OperationKey;
  render: (params: Record<string, string>) => ReactNode;
}

const ROUTES: RouteDefinition[] = [
  { pattern: "/compose", needs: "POST /designs", render: () => <ComposePage designId={null} /> },
  {
    pattern: "/compose/:designId",
    needs: "GET /designs/{id}",
    render: (p) => <ComposePage designId={p.designId ?? null} />,
  },
  { pattern: "/journeys", needs: "GET /journeys", render: () => <JourneysPage /> },
  {
    pattern: "/journeys/:id",
    needs: "GET /journeys/{id}",
    render: (p) => <JourneyPage journeyId={p.id ?? ""} />,
  },
  { pattern: "/approvals", needs: "GET /approvals", render: () => <ApprovalsPage selectedId={null} /> },
  {
    pattern: "/approvals/:id",
    needs: "GET /approvals/{id}",
    render: (p) => <ApprovalsPage selectedId={p.id ?? null} />,
  },
  { pattern: "/customers", needs: "GET /profiles", render: () => <CustomersPage /> },
  {
    pattern: "/customers/:userId",
    needs: "GET /profiles/{userId}",
    render: (p) => <CustomerPage userId={p.userId ?? ""} />,
  },
  { pattern: "/conflicts", needs: "GET /conflicts", render: () => <ConflictsPage /> },
  { pattern: "/outbox", needs: "GET /outbox", render: () => <OutboxPage /> },
  { pattern: "/policies", needs: "GET /policies", render: () => <PoliciesPage /> },
];

/** Only same-origin console paths: a `next` parameter must not send a signed-in user elsewhere. */
function safeNext(next: string | null): string | null {
  return next && /^\/(?!\/)[^\\]*$/.test(next) && !next.startsWith("/sign-in") ? next : null;
}

function SignedInRoutes() {
  const { workspace, permissions } = useSession();
  const { pathname, search } = useLocation();
  if (pathname === "/sign-in" && safeNext(search.get("next"))) {
    return <Redirect to={safeNext(search.get("next")) ?? "/"} />;
  }
  if (pathname === "/" || pathname === "/sign-in") {
    const landing = LANDING[workspace.role] ?? "/journeys";
    const allowed = PAGES.find((page) => page.path === landing && permissions.can(page.needs));
    return <Redirect to={allowed ? landing : "/journeys"} />;
  }
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, pathname);
    if (!params) continue;
    if (!permissions.can(route.needs)) {
      return (
        <Layout>
          <PageHeading>Not available to your role</PageHeading>
          <p>
            This page needs a role your API key does not have. <Link to="/">Go to your start page</Link>.
          </p>
        </Layout>
      );
    }
    return <Layout>{route.render(params)}</Layout>;
  }
  return (
    <Layout>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is no console page at <code>{pathname}</code>. <Link to="/">Go to your start page</Link>.
      </p>
    </Layout>
  );
}

export function App() {
  const { state } = useSessionApi();
  const { pathname } = useLocation();
  if (state.status === "loading") return <Loading what="your session" />;
  if (state.status === "signed-out") {
    if (pathname !== "/sign-in") {
      const next = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname)}`;
      return <Redirect to={`/sign-in${next}`} />;
    }
    return <SignInPage notice={state.notice} />;
  }
  return <SignedInRoutes />;
}
