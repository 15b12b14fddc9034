/**
 * The web console (R-UI-1): sign-in with an API token, then the screens — monitor, today's
 * timeline, run detail, history, troubles and the controller, a jobnet's year — chosen by the
 * address's hash (`#/run/<id>`, …) so that every view can be linked and reloaded.
 *
 * The login URL `/?token=…` signs straight in: the token goes to sessionStorage and is removed
 * from the address bar (history.replaceState) before anything else runs. Without a token nothing
 * but the sign-in form is shown and no API call is made.
 *
 * Browser code.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { forgetToken, getJson, onSignedOut, storeToken, storedToken, type Me, type Role } from './api.js';
import { HistoryView } from './history.js';
import { JobnetPage, Monitor } from './monitor.js';
import { RunView } from './run-view.js';
import { StatusView } from './status-view.js';
import { TodayView } from './today.js';
import { YearView } from './year.js';
import { errorText } from './ui.js';
import './app.css';

/** Moves a `?token=` of the address into sessionStorage and out of the address bar and history. */
function takeTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token !== '') storeToken(token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

/** The caller's role on a project (a global admin's is admin everywhere). */
export type RoleOf = (project: string) => Role | undefined;

function SignIn({ message, onSignedIn }: { message: string | undefined; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="signin">
      <h1>jobnet console</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim() === '') return;
          storeToken(token.trim());
          setToken('');
          onSignedIn();
        }}
      >
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <button type="submit">Sign in</button>
      </form>
      {message !== undefined ? (
        <p class="error" role="alert">
          {message}
        </p>
      ) : null}
      <p class="hint">
        Use the login URL <code>jobnet up</code> prints, or a token made by <code>jobnet token create</code>.
      </p>
    </main>
  );
}

const screens: [string, string][] = [
  ['#/monitor', 'Monitor'],
  ['#/today', 'Today'],
  ['#/history', 'History'],
  ['#/status', 'Troubles & controller'],
];

function Screen({ hash, me, roleOf }: { hash: string; me: Me; roleOf: RoleOf }) {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'run':
      return <RunView id={parts.slice(1).join('/')} roleOf={roleOf} />;
    case 'history':
      return (
        <HistoryView
          roleOf={roleOf}
          initialJobnet={parts[1] !== undefined ? `${parts[1]}/${parts[2] ?? ''}` : undefined}
        />
      );
    case 'jobnet':
      return <JobnetPage project={parts[1] ?? ''} jobnet={parts[2] ?? ''} roleOf={roleOf} />;
    case 'status':
      return <StatusView me={me} />;
    case 'today':
      return <TodayView />;
    case 'year':
      return <YearView project={parts[1] ?? ''} jobnet={parts[2] ?? ''} />;
    default:
      return <Monitor roleOf={roleOf} />;
  }
}

function App() {
  const [signedIn, setSignedIn] = useState(storedToken() !== null);
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const hash = useHash();

  useEffect(
    () =>
      onSignedOut(() => {
        setSignedIn(false);
        setMe(undefined);
        setMessage('The token was refused (unknown or expired); sign in again.');
      }),
    [],
  );
  useEffect(() => {
    if (!signedIn) return;
    getJson<Me>('/api/v1/me')
      .then((answer) => {
        setMe(answer);
        setMessage(undefined);
      })
      .catch((error: unknown) => setMessage(errorText(error)));
  }, [signedIn]);

  if (!signedIn) return <SignIn message={message} onSignedIn={() => setSignedIn(true)} />;
  if (me === undefined) return <p class="loading">{message ?? 'Signing in…'}</p>;

  const roles = new Map(me.projects.map((entry) => [entry.project, entry.role]));
  const roleOf: RoleOf = (project) => (me.admin ? 'admin' : roles.get(project));
  return (
    <Signed
      me={me}
      hash={hash}
      roleOf={roleOf}
      onSignOut={() => {
        forgetToken();
        setMe(undefined);
        setMessage('Signed out.');
        setSignedIn(false);
        window.location.hash = '';
      }}
    />
  );
}

/** The name of a screen, for the page's title. */
function screenName(hash: string): string {
  const [screen, ...rest] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const named = screens.find(([target]) => target === `#/${screen ?? ''}`)?.[1];
  if (named !== undefined) return named;
  const of = rest.join('/');
  return screen === 'run' ? `Run ${of}` : screen === 'jobnet' ? of : screen === 'year' ? `Year of ${of}` : 'Monitor';
}

/**
 * The signed-in console: a skip link, the screens' navigation, who is signed in, and the screen.
 * A change of screen names it in the page's title and moves the keyboard focus to the screen's
 * content, so a keyboard or screen-reader user lands where the new content is.
 */
function Signed(props: { me: Me; hash: string; roleOf: RoleOf; onSignOut: () => void }) {
  const { me, roleOf } = props;
  const current = props.hash === '' ? '#/monitor' : props.hash;
  const content = useRef<HTMLElement>(null);
  const shown = useRef<string | undefined>(undefined);
  useEffect(() => {
    document.title = `${screenName(current)} · jobnet`;
    if (shown.current !== undefined && shown.current !== current) content.current?.focus();
    shown.current = current;
  }, [current]);
  return (
    <>
      <header class="top">
        <button type="button" class="skip" onClick={() => content.current?.focus()}>
          Skip to content
        </button>
        <span class="brand">jobnet · {me.deployment}</span>
        <nav aria-label="Screens">
          {screens.map(([target, label]) => (
            <a href={target} aria-current={current.startsWith(target) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {me.subject}
          {me.admin ? ' (admin)' : ''}
        </span>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1} ref={content}>
        <Screen hash={current} me={me} roleOf={roleOf} />
      </main>
    </>
  );
}

takeTokenFromUrl();
const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
