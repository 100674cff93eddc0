"""``mentor-match review``: the proposal in the browser, adjusted and published by the coordinator.

* :mod:`cli.review_app.state` — the workspace folder: the journal of decisions, the
  pins/forbid/capacity/failed files the CLI reads, undo/redo, versions (plain Python);
* :mod:`cli.review_app.session` — the cohort loaded once, the proposal each version's
  decisions give (through :mod:`matcher.api`), previews, actions, publishing;
* :mod:`cli.review_app.views` — what each page shows, as template data;
* :mod:`cli.review_app.server` — the Starlette app (token, CSRF, Host check, CSP, log
  lines with ids only) and the uvicorn runner on 127.0.0.1.

The ``review`` click command only parses options and calls :func:`cli.review_app.server.run`.
"""
