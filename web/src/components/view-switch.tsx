import { Link } from "../router.tsx";

/** Sub-views of a page as links (so each view has its own address and works with back/forward). */
export function ViewSwitch({
  label,
  views,
  current,
}: {
  label: string;
  views: Array<{ to: string; label: string; id: string }>;
  current: string;
}) {
  return (
    <nav className="view-switch" aria-label={label}>
      <ul>
        {views.map((view) => (
          <li key={view.id}>
            <Link to={view.to} aria-current={view.id === current ? "page" : undefined}>
              {view.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
