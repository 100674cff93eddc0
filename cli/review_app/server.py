"""The review app's web layer: a Starlette app over a :class:`~cli.review_app.session.Session`.

It serves personal data, so every request passes :class:`Guard` first:

* the ``Host`` header must be the loopback address or ``localhost`` with the app's port
  (or the ``--host`` given): a DNS-rebinding page gets 403;
* the path must start with the random 128-bit token of the address printed (compared in
  constant time): without it, 403 — static files included;
* a state-changing request (POST) must carry the page's CSRF token and, when the browser
  sends ``Origin`` or ``Sec-Fetch-Site``, come from this origin;
* every response carries a strict Content Security Policy (scripts and styles from the
  app itself only, nothing from the network; inline ``style`` attributes are allowed for
  the report's bars and colours, never inline script), ``no-store``, ``nosniff``,
  ``Referrer-Policy: same-origin`` (the address and its token never go to another site, and
  the browser still sends ``Origin`` with the app's own forms) and frame denial;
* one log line per request: method, the path with the token removed (ids only — never
  names, reasons or notes, which travel in POST bodies), status and time.

Files are served only from a fixed list: the app's own static assets and, under
``rounds/N/``, the published outputs by name — never a path from the request.

Actions are based on a version number; one based on an older version is refused with 409
and nothing is applied (two tabs see one state; a form sent twice is not applied twice).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import secrets
import socket
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from cli.review_app import views
from cli.review_app.state import StaleState, WorkspaceError
from matcher.errors import MatcherError
from matcher.report.tables import MATCH_OWNED

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger("mentor_match.review")
ROUND_FILES = (*MATCH_OWNED, "summary.json", "timings.json")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
FILE_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def new_token() -> str:
    """128 random bits, hex (the address's secret)."""
    return secrets.token_hex(16)


def allowed_hosts(port: int, host: str = "127.0.0.1") -> frozenset[str]:
    """Host header values accepted: loopback names with the port, and ``host`` if another."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        names.add(host if ":" not in host else f"[{host}]")
    return frozenset(f"{n}:{port}" for n in names)


class Guard:
    """ASGI middleware: Host check, token prefix, security headers and the log line (see the
    module docstring). The token is stripped from the path the routes see."""

    def __init__(self, app, *, token: str, hosts: frozenset[str]):
        self.app, self.token, self.hosts = app, token, hosts
        self.prefix = f"/{token}"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        status = {"code": 0}

        async def send_secured(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                own = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in own]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refused = None
        if headers.get("host", "") not in self.hosts:
            refused = "host"
        else:
            head, _, rest = path[1:].partition("/")
            if not hmac.compare_digest(head.encode(), self.token.encode()):
                refused = "token"
            else:
                scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode(), "root_path": ""}
                if scope["method"] == "POST" and not self._same_origin(headers):
                    refused = "origin"
        if refused:
            await Response(f"Forbidden ({refused}).", status_code=403, media_type="text/plain")(
                scope, receive, send_secured
            )
            LOG.info("%s refused: %s 403", scope.get("method", "?"), refused)
            return
        try:
            await self.app(scope, receive, send_secured)
        finally:
            ms = (time.perf_counter() - start) * 1000
            LOG.info("%s %s %s %.0f ms", scope["method"], scope["path"], status["code"], ms)

    def _same_origin(self, headers: dict) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = headers.get("origin")
        return origin is None or origin in {f"http://{h}" for h in self.hosts}


class App:
    """The routes, over one session. ``csrf``: the token every form carries."""

    def __init__(self, session, token: str):
        self.session, self.token = session, token
        self.csrf = secrets.token_urlsafe(32)
        self.links = views.Links(f"/{token}/")
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )
        self.env.filters["signed"] = views.signed
        self.env.filters["ordinal"] = views.ordinal
        self.static = self._static()

    def _static(self) -> dict[str, tuple[bytes, str]]:
        """The assets, read once: the report's own CSS and script, and the app's."""
        from matcher.report.html import CSS, JS

        out = {
            "report.css": (CSS.strip().encode(), STATIC_TYPES[".css"]),
            "report.js": (JS.strip().encode(), STATIC_TYPES[".js"]),
        }
        for name in ("app.css", "app.js"):
            out[name] = ((HERE / "static" / name).read_bytes(), STATIC_TYPES[Path(name).suffix])
        return out

    # ------------------------------------------------------------------ helpers
    def links_for(self, request: Request) -> views.Links:
        """Addresses for this page (``here``: the page itself, which previews return to)."""
        return views.Links(self.links.base, self.links.base + request.url.path.lstrip("/"))

    def page(
        self, template: str, status: int = 200, links: views.Links | None = None, **data
    ) -> HTMLResponse:
        ctx = views.common(self.session, links or self.links, self.csrf)
        ctx.update(data)
        return HTMLResponse(
            self.env.get_template(template).render(**ctx),
            status_code=status,
            background=BackgroundTask(self.session.warm),  # once the page is sent
        )

    def message(self, title: str, text: str, status: int) -> HTMLResponse:
        return self.page("message.html", status=status, title=title, text=text)

    async def form(self, request: Request) -> dict:
        """The POSTed form, after checking its CSRF token (PermissionError when wrong)."""
        data = await request.form()
        sent = str(data.get("csrf", ""))
        if not hmac.compare_digest(sent.encode(), self.csrf.encode()):
            raise PermissionError("csrf")
        return {k: str(v) for k, v in data.items()}

    def back(self, form: dict) -> str:
        """Where to go after an action: the page it came from when that is one of ours."""
        nxt = form.get("next", "")
        if nxt.startswith(self.links.base) and "//" not in nxt[1:] and "\\" not in nxt:
            return nxt
        return self.links.base

    def guarded(self, handler):
        async def endpoint(request: Request):
            try:
                return await handler(request)
            except PermissionError:
                LOG.info("POST refused: csrf 403")
                return self.message(
                    "Forbidden",
                    "this form does not come from the page this app served (it is from an earlier start of "
                    "the app, or from another site); nothing was applied — reload the page and try again",
                    403,
                )
            except StaleState as exc:
                return self.message("This page was out of date", str(exc), 409)
            except views.NotFound as exc:
                return self.message("Not found", str(exc), 404)
            except (WorkspaceError, MatcherError) as exc:
                return self.message("Not done", str(exc), 400)

        return endpoint

    # ------------------------------------------------------------------ pages
    def view(self, template: str, build):
        """A page: ``build(session, links, *path ids)`` gives its data."""

        async def handler(request: Request):
            links = self.links_for(request)
            if template in ("proposal.html", "approval.html"):  # paged lists read the query
                data = build(self.session, links, request.query_params)
            elif template == "mentee.html":  # ?why_not=R006: that pair's list, priced
                data = build(self.session, links, request.path_params["id"], request.query_params)
            else:
                data = build(self.session, links, *request.path_params.values())
            return self.page(template, links=links, **data)

        return handler

    async def preview(self, request):
        if request.method == "POST":
            form = await self.form(request)
        else:
            form = dict(request.query_params)
        entry = {k: form[k] for k in views.ACTION_FIELDS if k in form}
        links = views.Links(self.links.base, self.back(form))
        data = views.preview_page(self.session, links, entry)
        return self.page("preview.html", links=links, next=self.back(form), **data)

    async def act(self, request):
        form = await self.form(request)
        entry = {k: form[k] for k in views.ACTION_FIELDS if k in form}
        self.session.act(entry, int(form.get("version", -1)))
        return RedirectResponse(self.back(form), status_code=303)

    async def undo(self, request):
        form = await self.form(request)
        self.session.undo(int(form.get("version", -1)))
        return RedirectResponse(self.back(form), status_code=303)

    async def redo(self, request):
        form = await self.form(request)
        self.session.redo(int(form.get("version", -1)))
        return RedirectResponse(self.back(form), status_code=303)

    async def publish(self, request):
        if request.method == "POST":
            form = await self.form(request)
            rnd, _ = self.session.publish(int(form.get("version", -1)))
            return RedirectResponse(self.links("rounds", published=rnd), status_code=303)
        return self.page("publish.html", **views.publish_page(self.session, self.links))

    async def start_rematch(self, request):
        form = await self.form(request)
        self.session.start_rematch(int(form.get("version", -1)))
        return RedirectResponse(self.links.base, status_code=303)

    async def start_approval(self, request):
        form = await self.form(request)
        self.session.start_approval(int(form.get("version", -1)))
        return RedirectResponse(self.links("approval"), status_code=303)

    async def import_responses(self, request):
        """A mentors' responses file (multipart upload): every answer in it recorded as one
        decision (undoable), or every problem in it shown and nothing recorded."""
        data = await request.form()
        if not hmac.compare_digest(str(data.get("csrf", "")).encode(), self.csrf.encode()):
            raise PermissionError("csrf")
        upload = data.get("responses")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise WorkspaceError("choose a responses file (mentor_id, mentee_id, response, note) to send")
        entry = self.session.read_responses(await upload.read(), upload.filename)
        self.session.act(entry, int(str(data.get("version", -1))))
        return RedirectResponse(self.links("approval"), status_code=303)

    async def rounds(self, request):
        data = views.rounds_page(self.session, self.links)
        return self.page("rounds.html", just=request.query_params.get("published", ""), **data)

    async def round_file(self, request):
        """A published file, by round number and one of the output names (nothing else)."""
        name = request.path_params["name"]
        try:
            n = int(request.path_params["n"])
        except ValueError:
            n = -1
        if name not in ROUND_FILES or n not in self.session.state.published:
            return self.message("Not found", "no such published file", 404)
        root = self.session.workspace.path.resolve()
        path = (root / f"round-{n}" / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return self.message("Not found", "no such published file", 404)
        headers = {}
        if path.suffix in (".csv", ".xlsx", ".json"):
            headers["content-disposition"] = f'attachment; filename="round-{n}-{name}"'
        return Response(path.read_bytes(), media_type=FILE_TYPES[path.suffix], headers=headers)

    async def alternatives(self, request):
        """A mentee's alternatives, as an HTML fragment for the proposal page's script."""
        fragment = views.alternatives_fragment(self.session, self.links, request.path_params["id"])
        return HTMLResponse(fragment)

    async def static_file(self, request):
        got = self.static.get(request.path_params["name"])
        if got is None:
            return Response("Not found.", status_code=404, media_type="text/plain")
        # the app's own code, no personal data: the browser may keep it while the app runs
        return Response(got[0], media_type=got[1], headers={"cache-control": "private, max-age=3600"})

    def routes(self) -> list[Route]:
        g = self.guarded
        v = self.view
        return [
            Route("/", g(v("proposal.html", views.proposal_page))),
            Route("/mentee/{id}", g(v("mentee.html", views.mentee_page))),
            Route("/mentor/{id}", g(v("mentor.html", views.mentor_page))),
            Route("/mentors", g(v("mentors.html", views.mentors_page))),
            Route("/unused", g(v("unused.html", views.unused_page))),
            Route("/unmatched", g(v("unmatched.html", views.unmatched_page))),
            Route("/decisions", g(v("decisions.html", views.decisions_page))),
            Route("/alternatives/{id}", g(self.alternatives)),
            Route("/preview", g(self.preview), methods=["GET", "POST"]),
            Route("/act", g(self.act), methods=["POST"]),
            Route("/undo", g(self.undo), methods=["POST"]),
            Route("/redo", g(self.redo), methods=["POST"]),
            Route("/publish", g(self.publish), methods=["GET", "POST"]),
            Route("/rematch", g(self.start_rematch), methods=["POST"]),
            Route("/approve", g(self.start_approval), methods=["POST"]),
            Route("/approval", g(v("approval.html", views.approval_page))),
            Route("/approval/import", g(self.import_responses), methods=["POST"]),
            Route("/rounds", g(self.rounds)),
            Route("/rounds/{n}/{name}", g(self.round_file)),
            Route("/static/{name}", self.static_file),
        ]


def create_app(session, *, token: str, port: int, host: str = "127.0.0.1"):
    """The ASGI app: the routes over ``session`` behind :class:`Guard`. → (app, App)."""
    core = App(session, token)
    app = Starlette(routes=core.routes())
    return Guard(app, token=token, hosts=allowed_hosts(port, host)), core


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket (port 0: the OS picks a free one, so there is no race)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket, token: str, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/{token}/"


@contextlib.contextmanager
def running(session, host: str = "127.0.0.1", port: int = 0):
    """Serve ``session`` on a background thread (for tests and benchmarks) → the address;
    stopped when the ``with`` block ends."""
    import threading

    import uvicorn

    sock = bind(host, port)
    token = new_token()
    app, _ = create_app(session, token=token, port=sock.getsockname()[1], host=host)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield address(sock, token, host)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def serve(session, *, host: str = "127.0.0.1", port: int = 0, on_ready=None) -> None:
    """Run the app until Ctrl-C. ``on_ready(url)`` is called once it listens."""
    import uvicorn

    sock = bind(host, port)
    token = new_token()
    app, _ = create_app(session, token=token, port=sock.getsockname()[1], host=host)
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s review: %(message)s", "%H:%M:%S"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
        LOG.propagate = False
    config = uvicorn.Config(
        app, log_config=None, access_log=False, log_level="warning", server_header=False, date_header=False
    )
    server = uvicorn.Server(config)
    url = address(sock, token, host)

    if on_ready is not None:
        original = server.startup

        async def startup(sockets=None):
            await original(sockets=sockets)
            on_ready(url)

        server.startup = startup
    server.run(sockets=[sock])


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: reachable from this computer only."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(
    mentors,
    mentees,
    config=None,
    *,
    workspace,
    pins=None,
    forbid=None,
    history=None,
    encoding=None,
    strict: bool = False,
    sheet=None,
    host: str = "127.0.0.1",
    port: int = 0,
    browser: bool = True,
    echo=print,
    warn=print,
) -> None:
    """``mentor-match review``: load the cohort, open the workspace, solve the proposal,
    then serve it until Ctrl-C; ``echo(text)`` prints the address (stdout) once it listens,
    ``warn(text)`` each warning (stderr). Opens the browser unless ``browser`` is False."""
    from cli.review_app.session import Session

    session = Session(
        mentors, mentees, config, workspace=workspace, pins=pins, forbid=forbid, history=history,
        encoding=encoding, strict=strict, sheet=sheet, exclusive=True,
    )  # fmt: skip
    for text in session.warnings:
        warn(text)
    if not is_loopback(host):
        warn(
            f"--host {host}: the app is reachable from other computers; anyone who has its address "
            "(with the token) sees the cohort's personal data"
        )
    p = session.proposal()
    if p.result is not None:
        p.tables  # noqa: B018 - solve and price everything before the first page is asked for

    def ready(url: str) -> None:
        echo(f"Review app: {url}")
        echo(f"Decisions are saved in {session.workspace.path} as they are confirmed; Ctrl-C stops the app.")
        if browser:
            import webbrowser

            webbrowser.open(url)

    serve(session, host=host, port=port, on_ready=ready)
