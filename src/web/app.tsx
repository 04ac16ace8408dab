import { useEffect } from "preact/hooks";
import { ErrorBoundary } from "./components/error-boundary";
import { Shell } from "./components/shell";
import { currentPath, currentSearch, matchRoute, navigate, type Route } from "./lib/router";
import { AccountPage } from "./pages/account";
import { AdminPage } from "./pages/admin";
import { ForgotPasswordPage, SignInPage, SignUpPage } from "./pages/auth";
import { BoardPage } from "./pages/board";
import { BoardsPage } from "./pages/boards";
import { TasksPage } from "./pages/tasks";
import { currentUser, sessionChecked } from "./state/session";

const PUBLIC = new Set<Route["name"]>(["signin", "signup", "forgot"]);

/** Where a signed-out visitor was going (a board linked from an email): signing in goes there. */
let returnTo: string | null = null;

export function App() {
  const route = matchRoute(currentPath.value);
  const user = currentUser.value;
  const checked = sessionChecked.value;
  const isPublic = PUBLIC.has(route.name);
  useEffect(() => {
    if (!checked) return;
    if (!user && !isPublic) {
      returnTo = currentPath.value === "/" ? null : currentPath.value + currentSearch.value;
      navigate("/signin", true);
    }
    if (user && isPublic) {
      navigate(returnTo ?? "/tasks", true);
      returnTo = null;
    }
  }, [checked, user, isPublic]);
  useEffect(() => {
    document.title = `${titleOf(route)} · Kanbun`;
  }, [route.name]);

  if (!checked) return <p class="loading">Loading…</p>;
  if (isPublic) {
    if (route.name === "signup") return <SignUpPage />;
    if (route.name === "forgot") return <ForgotPasswordPage />;
    return <SignInPage />;
  }
  if (!user) return null;
  return (
    <Shell>
      <ErrorBoundary key={route.name}>{page(route)}</ErrorBoundary>
    </Shell>
  );
}

function page(route: Route) {
  switch (route.name) {
    case "boards":
      return <BoardsPage />;
    case "board":
      return <BoardPage key={route.id} id={route.id} />;
    case "account":
      return <AccountPage />;
    case "admin":
      return <AdminPage />;
    case "missing":
      return (
        <section class="page">
          <h1>Page not found</h1>
          <p>
            Nothing lives at this address. Go to <a href="/tasks">My tasks</a> or{" "}
            <a href="/boards">Boards</a>.
          </p>
        </section>
      );
    default:
      return <TasksPage />;
  }
}

function titleOf(route: Route): string {
  const titles: Record<Route["name"], string> = {
    signin: "Sign in",
    signup: "Sign up",
    forgot: "Forgot password",
    tasks: "My tasks",
    boards: "Boards",
    board: "Board",
    account: "Account",
    admin: "Admin",
    missing: "Not found",
  };
  return titles[route.name];
}
