import type { ReactNode } from "react";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiClient, fetchOpenApi } from "../api/client.ts";
import { ApiRequestError, describeError } from "../api/http.ts";
import type { Permissions } from "../api/permissions.ts";
import { permissionsFromOpenApi } from "../api/permissions.ts";
import type { Workspace } from "../api/schemas.ts";

/**
 * Who is signed in. The API key lives in sessionStorage: it survives a reload but not closing the
 * tab, and it is never written anywhere else. The role comes from the server (GET /api/workspace),
 * what the role may do from /openapi.json.
 */

const STORAGE_KEY = "overture.apiKey";

export interface SignedIn {
  status: "signed-in";
  client: ApiClient;
  workspace: Workspace;
  permissions: Permissions;
}

type SessionState = { status: "loading" } | { status: "signed-out"; notice: string | null } | SignedIn;

interface SessionApi {
  state: SessionState;
  signIn(key: string): Promise<void>;
  signOut(notice?: string): void;
}

const SessionContext = createContext<SessionApi | null>(null);

function readStoredKey(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const signOut = useCallback((notice?: string) => {
    window.sessionStorage.removeItem(STORAGE_KEY);
    setState({ status: "signed-out", notice: notice ?? null });
  }, []);

  const open = useCallback(
    async (key: string): Promise<SignedIn> => {
      const client = new ApiClient(key, {
        onUnauthorized: () => signOut("Your API key is no longer accepted. Sign in again."),
      });
      const [workspace, document] = await Promise.all([client.workspace(), fetchOpenApi()]);
      return {
        status: "signed-in",
        client,
        workspace,
        permissions: permissionsFromOpenApi(document, workspace.role),
      };
    },
    [signOut],
  );

  const signIn = useCallback(
    async (key: string) => {
      const session = await open(key.trim());
      window.sessionStorage.setItem(STORAGE_KEY, key.trim());
      setState(session);
    },
    [open],
  );

  useEffect(() => {
    const stored = readStoredKey();
    if (!stored) {
      setState({ status: "signed-out", notice: null });
      return;
    }
    open(stored).then(setState, (error: unknown) => {
      window.sessionStorage.removeItem(STORAGE_KEY);
      setState({
        status: "signed-out",
        notice:
          error instanceof ApiRequestError && error.status === 401
            ? "Your API key is no longer accepted. Sign in again."
            : describeError(error),
      });
    });
  }, [open]);

  const api = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSessionApi(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSessionApi outside SessionProvider");
  return api;
}

/** The signed-in session; pages render only inside the signed-in layout. */
export function useSession(): SignedIn {
  const { state } = useSessionApi();
  if (state.status !== "signed-in") throw new Error("useSession needs a signed-in session");
  return state;
}

export const ROLE_LABELS: Record<string, string> = {
  admin: "Admin",
  cx_lead: "CX lead",
  reviewer: "Reviewer",
  viewer: "Viewer",
};
