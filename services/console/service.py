"""console: the office's web pages over the four services, for operators, the office, units, leaders
and the public. It owns no database and decides nothing: every read and action is the services' own,
called with the signed-in person's token."""
from __future__ import annotations

import hmac
import logging
import math
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from nameko.dependency_providers import Config
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Response

from lianxin.auth import Unauthorised
from lianxin.directory import CountyDirectory
from lianxin.errors import Refused
from lianxin.http import error_response, http_status, json_response, security_headers, with_headers
from lianxin.i18n import LANGUAGES, N_, chosen_language, translations
from lianxin.metrics import EntrypointMetrics, exposition
from lianxin.notify.templates import CHANNEL_WORDS
from lianxin.permissions import ROLES
from lianxin.vocabulary import REVIEW_REQUEST_DAYS

from . import dashboard, exports, figures, labels, pages, searching, uploads
from .actions import ACTIONS
from .backend import BackendError, Backends, followed
from .citizens import CitizenGuard
from .csrf import FormGuard, form_token
from .flash import Refusal, RefusalKeeper
from .rendering import fragment, render
from .session import AWAY_COOKIE, LANGUAGE_COOKIE, SESSION_COOKIE, SessionKeeper, Visitor
from .standing import nothing_to_do, standing

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
FAILED = ("<!doctype html><meta charset=utf-8><title>出错了 · Failed</title>"
          "<p>出错了，已记录。Something went wrong; it was logged.")
# the console's pages load their own stylesheet and script only, run no inline script, post only to the
# console and are framed by no one
PAGE_HEADERS = security_headers("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'") | {
    "Referrer-Policy": "same-origin"}  # no address leaves the console, and its own forms say their origin
HOME = {"operator": "/intake", "officer": "/intake", "unit_handler": "/board", "unit_head": "/board",
        "supervisor": "/board", "administrator": "/board", "leader": "/alerts", "bureau": "/rankings"}


class PageServer(WebServer):
    """nameko's web server, every answer (a page, a file, a refusal) under the console's own policy."""

    def get_wsgi_app(self):
        app = with_headers(followed(super().get_wsgi_app(), self.container.service_name), PAGE_HEADERS)
        hops = self.container.config.get("PROXY_HOPS", 0)  # behind the office's web proxy: the browser's address
        return ProxyFix(app, x_for=hops) if hops else app


class PageHandler(HttpRequestHandler):
    """nameko's ``@http`` for pages: every request passes here. A form not sent from the console's own page
    is refused before it reaches the service; the services' refusals are shown by the pages themselves, one
    no page caught (a service the console needs is away) with its reason; anything unexpected is logged and
    answered with a short page, without a stack trace."""

    server = PageServer()

    def setup(self):
        super().setup()
        self.forms = FormGuard(self.container.config["SESSION_KEY"], self.container.config.get("PUBLIC_ORIGIN"))

    def handle_request(self, request):
        request.shallow = False  # the form is read here, before the page's own worker
        try:
            forged = self.forms.admit(request)
        except HTTPException as exc:  # a body that cannot be read as a form
            return exc.get_response()
        if forged is not None:
            log.warning("refused %s %s: not sent from a page of the console", request.method, request.path)
            response = refusal_page(request, 403, "form_not_from_console", forged)
        else:
            response = super().handle_request(request)
        self.forms.remember(request, response)
        return response

    def handle_result(self, event, worker_ctx, result, exc_info):
        if exc_info and isinstance(exc_info[1], Refused):
            refused = exc_info[1]  # its message id, where it keeps one, is said in the person's language
            said = getattr(refused, "message_id", None) or refused.message
            result, exc_info = refusal_page(worker_ctx.args[0], http_status(refused), refused.code, said), None
        return super().handle_result(event, worker_ctx, result, exc_info)

    def response_from_exception(self, exc):
        if isinstance(exc, HTTPException):
            return exc.get_response()
        log.error("unexpected error in %s: %r", self.method_name, exc)
        return Response(FAILED, status=500, content_type="text/html; charset=utf-8")


http = PageHandler.decorator


def refusal_page(request, status: int, code: str, message: str) -> Response:
    """A refusal (``message`` a catalogue entry) as a page in the person's language, for a request no page
    could answer."""
    lang = chosen_language(request.cookies.get(LANGUAGE_COOKIE))
    error = BackendError("console", status, code, translations(lang).gettext(message))
    return render(lang, "refused.html", status, visitor=Visitor(lang), path="/", form_token=form_token(request),
                  error=error, read_only=request.method == "GET")


class ConsoleService:
    name = "console"

    config = Config()
    sessions = SessionKeeper()
    backend = Backends()
    directory = CountyDirectory()
    metered = EntrypointMetrics()
    refusals = RefusalKeeper()
    guesses = CitizenGuard()

    # --- signing in, language, assets -------------------------------------------------------------------

    @http("GET", "/")
    def home(self, request):
        visitor = self.sessions.visitor(request)
        return redirect(HOME[visitor.role] if visitor.staff else "/sign-in", 303)

    @http("GET", "/sign-in")
    def sign_in_page(self, request):
        return self._sign_in_form(request, None)

    @http("POST", "/sign-in")
    def sign_in(self, request):
        """With a user name and password (accounts opens a session); in development also with a pasted token."""
        visitor = self.sessions.visitor(request)
        token = request.form.get("token", "").strip() if self._development else ""
        user_name = "" if token else request.form.get("user_name", "")
        address, tried = request.remote_addr or "?", user_name.strip()
        try:
            if held := self.sessions.held_back(address, tried):
                raise BackendError("console", 429, "too_many_requests", _say(visitor, HELD_BACK[held]))
            name = None
            if token:
                role, must_change = self.sessions.staff_of(token).role, False
            else:
                opened = self.backend.as_staff(None).call("accounts", "POST", "/sessions", json={
                    "user_name": user_name, "password": request.form.get("password", "")},
                    headers=self._spoken(visitor))
                token, role, must_change = opened["token"], opened["role"], opened["must_change_password"]
                name = opened.get("display_name")
        except (Unauthorised, BackendError) as refused:
            status = getattr(refused, "status", 401)
            if status < 500 and getattr(refused, "service", None) != "console":  # not when held back or away
                self.sessions.failed(address, tried)  # only failures count: a shift's good sign-ins never do
            return self._sign_in_form(request, refused, status)
        response = redirect("/password" if must_change else HOME[role], 303)
        self.sessions.set_cookie(response, token, name)
        return response

    @http("GET", "/sign-in/single-sign-on")
    def single_sign_on(self, request):
        """Sends the browser to the identity platform, keeping the state, nonce and code verifier sealed."""
        try:
            away = self.backend.as_staff(None).call("accounts", "POST", "/single-sign-on/authorizations", json={
                "redirect_uri": self._returning(request)}, headers=self._lang(request))
        except BackendError as refused:
            return self._sign_in_form(request, refused, refused.status)
        response = redirect(away.pop("authorization_url"), 303)
        self.sessions.send_away(response, away)
        return response

    @http("GET", "/sign-in/single-sign-on/return")
    def single_sign_on_return(self, request):
        """The browser back from the identity platform: its state must be the one sent; accounts verifies
        the rest and opens the session."""
        kept = self.sessions.returned(request)
        try:
            if not (kept and hmac.compare_digest(request.args.get("state", ""), kept["state"])):
                raise BackendError("console", 401, "sign_in_refused", _say(self.sessions.visitor(request), N_(
                    "the answer from the identity platform is not the one this browser waited for: sign in again")))
            opened = self.backend.as_staff(None).call("accounts", "POST", "/single-sign-on/sessions", json={
                "code": request.args.get("code", ""), "code_verifier": kept["code_verifier"], "nonce": kept["nonce"],
                "redirect_uri": self._returning(request)}, headers=self._lang(request))
        except BackendError as refused:
            response = self._sign_in_form(request, refused, refused.status)
        else:
            response = redirect(HOME[opened["role"]], 303)
            self.sessions.set_cookie(response, opened["token"], opened.get("display_name"))
        response.delete_cookie(AWAY_COOKIE, path="/sign-in")  # a state is used once
        return response

    @http("POST", "/sign-out")
    def sign_out(self, request):
        if token := self.sessions.end(request):
            try:  # the session token stops working in every service, not only here
                self.backend.as_staff(token).call("accounts", "DELETE", "/sessions/current")
            except BackendError as failed:
                log.warning("signing out at accounts failed: %s", failed.message)
        response = redirect("/sign-in", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @http("GET", "/password")
    def password_page(self, request):
        visitor = self.sessions.visitor(request)
        if visitor.token is None:
            return redirect("/sign-in", 303)
        return render(visitor.lang, "password.html", **self._common(request, visitor), error=None)

    @http("POST", "/password")
    def change_password(self, request):
        visitor = self.sessions.visitor(request)
        if visitor.token is None:
            return redirect("/sign-in", 303)
        try:
            if request.form.get("new_password") != request.form.get("repeated"):
                raise BackendError("console", 422, "invalid", _say(visitor, N_("the two new passwords differ")))
            opened = self.backend.as_staff(visitor.token).call("accounts", "POST", "/password", json={
                "current_password": request.form.get("current_password", ""),
                "new_password": request.form.get("new_password", "")}, headers=self._spoken(visitor))
        except BackendError as refused:
            return render(visitor.lang, "password.html", refused.status, **self._common(request, visitor),
                          error=refused)
        self.sessions.end(request)
        response = redirect(HOME[opened["role"]], 303)
        self.sessions.set_cookie(response, opened["token"], opened.get("display_name"))
        return response

    # --- the administrator: staff, API tokens; the audit log ------------------------------------------

    @http("GET", "/staff")
    def staff_page(self, request):
        return self._page(request, "staff.html", lambda api, staff: self._staff(api, None))

    @http("POST", "/staff")
    def add_staff(self, request):
        def add(api, staff):
            added = api.call("accounts", "POST", "/accounts", json=_filled(request.form), headers=self._lang(request))
            return "staff.html", self._staff(api, added)

        return self._act(request, add, lambda api, staff: ("staff.html", {**self._staff(api, None),
                                                                           "draft": request.form}))

    @http("POST", "/staff/<string:user_name>/<string:change>")
    def change_staff(self, request, user_name, change):
        if change not in STAFF_CHANGES:
            return Response("no such change", status=404)

        def act(api, staff):
            method, path = STAFF_CHANGES[change]
            body = _filled(request.form, keep_empty=("unit", "village", "enterprise")) if method == "PATCH" else {}
            done = api.call("accounts", method, path.format(user_name=user_name), json=body,
                            headers=self._lang(request))
            return "staff.html", self._staff(api, done if change == "password-reset" else None)

        return self._act(request, act, lambda api, staff: ("staff.html", self._staff(api, None)))

    @http("GET", "/api-tokens")
    def api_tokens_page(self, request):
        return self._page(request, "api_tokens.html", lambda api, staff: self._tokens(api, None))

    @http("POST", "/api-tokens")
    def issue_api_token(self, request):
        def issue(api, staff):
            issued = api.call("accounts", "POST", "/api-tokens", json=_filled(request.form),
                              headers=self._lang(request))
            return "api_tokens.html", self._tokens(api, issued)

        return self._act(request, issue, lambda api, staff: ("api_tokens.html", self._tokens(api, None)))

    @http("POST", "/api-tokens/<string:token_id>/revocation")
    def revoke_api_token(self, request, token_id):
        def revoke(api, staff):
            api.call("accounts", "POST", f"/api-tokens/{token_id}/revocation", headers=self._lang(request))
            return redirect("/api-tokens", 303)

        return self._act(request, revoke, lambda api, staff: ("api_tokens.html", self._tokens(api, None)))

    @http("GET", "/audit")
    def audit_page(self, request):
        return self._page(request, "audit.html", lambda api, staff: pages.audit(
            api, request.args.get("subject"), request.args.get("after")))

    @http("POST", "/language")
    def choose_language(self, request):
        wanted = request.form.get("lang")
        response = redirect(same_site(request.form.get("next")), 303)
        if wanted in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, wanted, max_age=365 * 86400, samesite="Lax", path="/")
        return response

    @http("GET", "/static/<path:name>")
    def static(self, request, name):
        return send_from_directory(STATIC, name, request.environ, max_age=3600)

    @http("GET", "/health")
    def health(self, request):
        return Response('{"service": "console", "status": "ok"}', content_type="application/json")

    @http("GET", "/metrics")
    def metrics(self, request):
        body, content_type = exposition()
        return Response(body, content_type=content_type)

    # --- the hotline operator ---------------------------------------------------------------------------

    @http("GET", "/intake")
    def intake_page(self, request):
        kept = self._kept(request)
        draft = kept.draft if kept else {}
        return self._page(request, "intake.html", lambda api, staff: {
            **pages.intake(api, staff, request.args.get("taken"), self.directory), "kept": kept, "draft": draft,
            "key": draft.get("_key") or uuid.uuid4().hex})

    @http("POST", "/intake")
    def take_in(self, request):
        def submit(api, staff):
            key = request.form.get("_key") or uuid.uuid4().hex
            report = api.call("intake", "POST", "/reports", headers={"Idempotency-Key": key},
                              **uploads.body_with(pages.nested(request.form), uploads.chosen(request)))
            return redirect(f"/intake?taken={report['report_id']}", 303)

        return self._act_and_return(request, submit, "/intake")

    @http("POST", "/intake/preview")
    def preview(self, request):
        """For the form as the operator types: the suggested category and a duplicate warning (JSON)."""
        return self._json(request, lambda api: api.post("intake", "/reports/preview", request.get_json(silent=True)))

    # --- the case board, a case, its actions -------------------------------------------------------------

    @http("GET", "/board")
    def board(self, request):
        return self._page(request, "board.html", lambda api, staff: pages.board(api, staff, request.args))

    @http("GET", "/dashboard")
    def dashboard_page(self, request):
        return self._page(request, "dashboard.html", lambda api, staff: dashboard.figures(api, staff, self.directory))

    @http("GET", "/board.<string:fmt>")
    def board_export(self, request, fmt):
        """The board's cases under its filters, every page, as CSV or XLSX."""
        return self._export(request, fmt, "cases", exports.CASE_COLUMNS,
                            lambda api, staff: pages.board_rows(api, staff, request.args))

    @http("GET", "/intake/today.<string:fmt>")
    def intake_export(self, request, fmt):
        """What the operator took in today, as on their page."""
        return self._export(request, fmt, "reports", exports.REPORT_COLUMNS,
                            lambda api, staff: pages.intake(api, staff, None)["today"])

    @http("GET", "/alerts.<string:fmt>")
    def alerts_export(self, request, fmt):
        return self._export(request, fmt, "alerts", exports.ALERT_COLUMNS,
                            lambda api, staff: api.get("intake", "/alerts", limit=200)["alerts"])

    @http("GET", "/rankings.<string:fmt>")
    def rankings_export(self, request, fmt):
        period = request.args.get("period") or pages.this_month()
        return self._export(request, fmt, f"rankings-{period}", exports.SCORE_COLUMNS,
                            lambda api, staff: exports.rankings(api.get("scoring", "/rankings", period=period)))

    @http("GET", "/search")
    def search(self, request):
        """The header's search box: a case or report number opens it; words find reports."""
        def look(api, staff):
            found = searching.found(api, staff, request.args.get("q", ""))
            return redirect(found["opens"], 303) if found["opens"] else ("search.html", found)

        return self._act(request, look, None)

    @http("GET", "/search.<string:fmt>")
    def search_export(self, request, fmt):
        return self._export(request, fmt, "reports", exports.REPORT_COLUMNS, lambda api, staff: searching.found(
            api, staff, request.args.get("q", ""))["reports"])

    @http("GET", "/cases/<string:case_id>")
    def case_page(self, request, case_id):
        kept, done = self._kept(request), request.args.get("done")

        def build(api, staff):
            shown = pages.case(api, staff, case_id)
            state = standing(shown["case"], shown["supervised"])
            return {**shown, "state": state, "nothing_to_do": nothing_to_do(state),
                    "done": done if done in ACTIONS else None, "kept": kept, "failed": kept and kept.action,
                    "draft": kept.draft if kept else {}}

        return self._page(request, "case.html", build)

    @http("POST", "/cases/<string:case_id>/<string:action>")
    def act_on_case(self, request, case_id, action):
        if action not in ACTIONS:
            return Response("no such action", status=404)

        def act(api, staff):
            chosen = ACTIONS[action]
            body = self._body(action, staff, case_id, request.form)
            path = chosen.route(case_id=case_id, review_id=request.form.get("review_id", ""))
            api.call(chosen.service, chosen.method, path, **uploads.body_with(body, uploads.chosen(request)))
            return redirect(f"/cases/{case_id}?done={action}", 303)

        return self._act_and_return(request, act, f"/cases/{case_id}", action)

    @http("GET", "/cases/<string:case_id>/<string:action>")
    def action_address(self, request, case_id, action):
        """An action's address opened as a page (a bookmark, a reload of an old tab): the case it acts on."""
        if action not in ACTIONS:
            return Response("no such page", status=404)
        return redirect(f"/cases/{quote(case_id)}", 303)

    @http("GET", "/cases/<string:case_id>/files/<string:source>/<string:digest>")
    def case_attachment(self, request, case_id, source, digest):
        """A photo or document of the case (``source``: report, repair, evidence), as its service shows it to
        this person; ``?report=`` names the report, ``?rendition=thumbnail|web`` a photo's smaller copy."""
        if source not in uploads.SOURCES:
            return Response("no such file", status=404)
        return self._act(request, lambda api, staff: uploads.shown(
            api, source, digest, request.args.get("rendition", "file"), case_id=case_id,
            report_id=request.args.get("report", "")), None)

    @http("GET", "/cases/<string:case_id>/assignment-notice")
    def assignment_notice(self, request, case_id):
        return self._page(request, "assignment_notice.html", lambda api, staff: {
            "case": (found := api.get("dispatch", f"/cases/{case_id}")), **self._printed_photos(api, found)})

    @http("GET", "/cases/<string:case_id>/file")
    def case_file(self, request, case_id):
        """The case file (案卷) to print for the archive."""
        def build(api, staff):
            parts = pages.case_file(api, case_id)
            return {**parts, "state": standing(parts["case"], parts["supervised"]), "printed": self.config.get(
                "PRINTED_PHOTOS", {}).get("case_file", True), "printed_in_notice": False}
        return self._page(request, "case_file.html", build)

    def _printed_photos(self, api, case: dict) -> dict:
        """The report (for its photos) where the office prints them in the assignment notice."""
        if not self.config.get("PRINTED_PHOTOS", {}).get("notice", True):
            return {"printed_in_notice": False}
        return {"printed_in_notice": True,
                "report": pages._or_none(lambda: api.get("intake", f"/reports/{case['report_id']}"), also=403)}

    # --- leaders -------------------------------------------------------------------------------------------

    @http("GET", "/digest")
    def digest(self, request):
        return self._page(request, "digest.html", lambda api, staff: {"digest": api.get(
            "intake", f"/digests/{request.args.get('kind', 'ten-day')}", date=request.args.get("date"))})

    @http("GET", "/analysis")
    def analysis(self, request):
        month = request.args.get("month") or pages.this_month()
        return self._page(request, "analysis.html", lambda api, staff: {
            "analysis": api.get("intake", f"/analyses/monthly/{month}")})

    @http("GET", "/alerts")
    def alerts(self, request):
        return self._page(request, "alerts.html", lambda api, staff: {
            "alerts": api.get("intake", "/alerts", limit=50)["alerts"]})

    @http("GET", "/alerts/latest")
    def latest_alerts(self, request):
        """The newest alerts, for pages that show them as they happen (polled), with their table rows
        rendered in the person's language."""
        visitor = self.sessions.visitor(request)
        names = pages.names(self.directory, visitor.lang)
        return self._json(request, lambda api: {"alerts": [
            {"alert_id": a["alert_id"], "message": a["message"], "raised_ms": pages.epoch_ms(a["raised_at"]),
             "row": fragment(visitor.lang, "alert_row.html", a=a, names=names)}
            for a in api.get("intake", "/alerts", limit=10)["alerts"]]})

    @http("GET", "/me/notifications")
    def my_notifications(self, request):
        kept = self._kept(request)
        return self._page(request, "my_notifications.html", lambda api, staff: {
            "mine": pages.my_channels(api), "channel_words": CHANNEL_WORDS, "kept": kept,
            "saved": request.args.get("saved"), **pages.my_messages(api)})

    @http("POST", "/me/notifications")
    def choose_my_notifications(self, request):
        def act(api, staff):
            api.put("notifications", "/me/channels", {"channels": request.form.getlist("channels")})
            return redirect("/me/notifications?saved=1", 303)
        return self._act_and_return(request, act, "/me/notifications")

    @http("GET", "/calendar")
    def calendar(self, request):
        month = request.args.get("month") or pages.this_month()
        kept = self._kept(request)
        return self._page(request, "calendar.html", lambda api, staff: {
            "calendar": api.get("intake", f"/reception/calendar/{month}"), "month": month, "kept": kept})

    @http("POST", "/calendar/<string:month>/publication")
    def publish_calendar(self, request, month):
        def act(api, staff):
            api.post("intake", f"/reception/calendar/{month}/publication")
            return redirect(f"/calendar?month={month}", 303)

        return self._act_and_return(request, act, f"/calendar?month={month}")

    @http("POST", "/calendar/sessions/<string:session_id>/substitution")
    def substitute(self, request, session_id):
        month = request.form.get("month") or pages.this_month()

        def act(api, staff):
            api.post("intake", f"/reception/sessions/{session_id}/substitution", {
                "unavailable": request.form.getlist("unavailable"), "reason": request.form.get("reason", "")})
            return redirect(f"/calendar?month={month}", 303)

        return self._act_and_return(request, act, f"/calendar?month={month}", "substitute")

    @http("GET", "/rankings")
    def rankings(self, request):
        period = request.args.get("period") or pages.this_month()
        return self._page(request, "rankings.html", lambda api, staff: pages.rankings(api, period))

    @http("GET", "/figures")
    def office_figures(self, request):
        """The county's figures for a period, for the leaders and as a printed document."""
        period = request.args.get("period") or pages.this_month()[:4]
        return self._page(request, "figures.html", lambda api, staff: figures.office_figures(api, period, staff))

    @http("GET", "/units/<string:unit>")
    def scorecard(self, request, unit):
        return self._page(request, "scorecard.html", lambda api, staff: {
            "scorecard": api.get("scoring", f"/units/{unit}/scorecard"),
            "notices": api.get("supervision", "/notices", unit=unit, limit=50)["notices"]})

    @http("GET", "/outcomes")
    def outcomes(self, request):
        year = request.args.get("year") or pages.this_month()[:4]
        return self._page(request, "outcomes.html", lambda api, staff: {
            "year": year, "outcomes": pages._or_none(lambda: api.get("scoring", f"/outcomes/{year}"))})

    @http("GET", "/assessments/<string:assessment_id>")
    def printed_assessment(self, request, assessment_id):
        """Scoring's printed assessment, as scoring writes it in the person's language."""
        return self._act(request, lambda api, staff: pages.printed_assessment(api, assessment_id), None)

    # --- the public ----------------------------------------------------------------------------------------

    @http("GET", "/public")
    def public_lookup(self, request):
        visitor = self.sessions.visitor(request)
        case_id, secret = request.args.get("case_id", "").strip(), request.args.get("secret", "").strip()
        if not case_id:
            return self._public_page(request, visitor, found=None, case_id="")
        return self._public_case(visitor, request, case_id, secret)

    @http("GET", "/public/cases/<string:case_id>")
    def public_case(self, request, case_id):
        secret = request.args.get("secret", "")
        return self._public_case(self.sessions.visitor(request), request, case_id, secret,
                                 self._kept(request, holder=secret))

    @http("POST", "/public/cases/<string:case_id>/<string:answer>")
    def public_answer(self, request, case_id, answer):
        """The petitioner rates the handling or asks for a review, with their photos ("still broken") if they chose
        some; a refusal (a bad or too large photo too) goes back to their page, in their language."""
        if answer not in PUBLIC_ANSWERS:
            return Response("no such answer", status=404)
        secret = request.form.get("secret", "")
        back = f"/public/cases/{quote(case_id)}?secret={quote(secret)}"
        try:
            body = {k: v for k, v in pages.nested(request.form).items() if k != "secret"}  # it goes in the link
            self._as_citizen(request).call("supervision", "POST", f"/public/cases/{case_id}/{answer}",
                                           params={"secret": secret},
                                           **uploads.body_with(body, uploads.chosen(request)))
        except BackendError as refused:
            key = self.refusals.keep(secret, Refusal.of(refused, request.form.to_dict(), answer))
            return redirect(f"{back}&refused={key}", 303)
        response = redirect(f"{back}&{PUBLIC_ANSWERS[answer]}=1", 303)
        # this browser remembers what it sent, so Back shows the answer, not the form to send it again
        sent = _answered(request, answer) | {_round(case_id, request.form.get("_round"))}
        response.set_cookie(f"{ANSWERED_COOKIE}_{answer}", ".".join(sorted(sent)), max_age=30 * 86400,
                            samesite="Lax", httponly=True, path="/public")
        return response

    @http("GET", "/public/photos/<string:case_id>/attachments/<int:attachment_id>")
    def public_repair_photo(self, request, case_id, attachment_id):
        """A repair photo on the petitioner's page, through the link supervision signed for them (dispatch checks
        it: the console adds nothing and needs no token)."""
        try:
            return uploads.passed_on(self._as_citizen(request).raw(
                "dispatch", f"/public/cases/{case_id}/attachments/{attachment_id}", params={
                    k: request.args.get(k, "") for k in ("rendition", "expires", "signature")}))
        except BackendError as refused:
            return Response(refused.message, status=refused.status, content_type="text/plain; charset=utf-8")

    def _public_case(self, visitor, request, case_id, secret, kept=None):
        address = request.remote_addr or "?"
        try:
            if wait := self.guesses.wait(address):
                raise BackendError("console", 429, "too_many_requests", _say(visitor, N_(
                    "too many wrong codes from your address: try again in %(minutes)s minutes")) % {
                    "minutes": math.ceil(wait / 60)})
            found = self._as_citizen(request).get("supervision", f"/public/cases/{case_id}", secret=secret)
        except BackendError as refused:
            if refused.status in (403, 404):
                self.guesses.wrong(address)
            return self._public_page(request, visitor, refused.status, found=None, case_id=case_id,
                                     not_found=refused.status in (403, 404), error=refused)
        rounds, answered = found.get("reopen_count") or 0, _answered(request, "rating")
        closed_at = found.get("closed_at")
        return self._public_page(request, visitor, 200, found=found, secret=secret, kept=kept,
                                 rated=_round(case_id, rounds) in answered,
                                 just_rated=request.args.get("rated"),  # a dissatisfied answer began a new round
                                 # this browser's rating sent the case back (Back after it shows that, not the form)
                                 rated_then_sent_back=bool(rounds) and _round(case_id, rounds - 1) in answered,
                                 review_asked=request.args.get("review_asked"),
                                 review_until=closed_at and datetime.fromisoformat(closed_at) + REVIEW_WINDOW)

    def _as_citizen(self, request):
        return self.backend.for_citizen(request.remote_addr or "?")

    def _public_page(self, request, visitor, status: int = 200, **context):
        context = {"error": None, "kept": None, "not_found": False, "rated": False, "just_rated": False,
                   "review_asked": False, "secret": "", **context}
        response = render(visitor.lang, "public.html", status, **self._common(request, visitor), **context)
        response.headers["Cache-Control"] = "no-store"  # Back asks again: the page shows what is now true
        return response

    # --- how every staff page is made ----------------------------------------------------------------------

    def _page(self, request, template, build):
        """Render ``template`` with what ``build(api, staff)`` reads; a refusal shows the service's reason."""
        return self._act(request, lambda api, staff: (template, build(api, staff)), None)

    def _act(self, request, act, again):
        """Do ``act(api, staff)``; when a service refuses, show ``again(api, staff)`` (the form to correct)
        with the service's reason, or the reason alone."""
        visitor = self.sessions.visitor(request)
        if visitor.must_change_password:
            return redirect("/password", 303)
        if visitor.staff is None:
            return redirect("/sign-in", 303)
        api = self.backend.as_staff(visitor.token)
        common = self._common(request, visitor)
        try:
            result = act(api, visitor.staff)
            if isinstance(result, Response):
                return result
            template, context = result
            return render(visitor.lang, template, **common, **context, error=None)
        except BackendError as refused:
            if again is None:
                return render(visitor.lang, "refused.html", refused.status, **common, error=refused,
                              read_only=request.method == "GET")
            template, context = again(api, visitor.staff)
            return render(visitor.lang, template, refused.status, **common, **context, error=refused)

    def _export(self, request, fmt: str, name: str, columns, read):
        """A list the person may see as a file (``exports.FORMATS``), headed in their language."""
        if fmt not in exports.FORMATS:
            return Response("no such format", status=404)
        lang = self.sessions.visitor(request).lang

        def export(api, staff):
            if isinstance(found := read(api, staff), Response):
                return found
            return exports.exported(exports.table(lang, columns, found, pages.names(self.directory, lang)), fmt, name)

        return self._act(request, export, None)

    def _act_and_return(self, request, act, back: str, action: str | None = None):
        """Do ``act(api, staff)`` (it redirects to what it did); a refusal goes back to the form's own
        page, ``back``, which shows the reason and what was typed: reloading it never posts again."""
        visitor = self.sessions.visitor(request)
        if visitor.staff is None or visitor.must_change_password:
            return self._act(request, act, None)  # the sign-in or password page, as for any page
        try:
            return act(self.backend.as_staff(visitor.token), visitor.staff)
        except BackendError as refused:
            key = self.refusals.keep(visitor.token, Refusal.of(refused, request.form.to_dict(), action))
            return redirect(f"{back}{'&' if '?' in back else '?'}refused={key}", 303)

    def _kept(self, request, holder: str | None = None) -> Refusal | None:
        """The refusal an action left for this page (``?refused=``), if this person's own."""
        if holder is None:
            holder = self.sessions.visitor(request).token
        return self.refusals.find(holder, request.args.get("refused"))

    @property
    def _development(self) -> bool:
        """Pasting a staff token to sign in is for development only; an office signs in with accounts."""
        return self.config.get("ENVIRONMENT") != "production"

    def _sign_in_form(self, request, error, status: int = 200):
        lang = self.sessions.visitor(request).lang
        return render(lang, "sign_in.html", status, **self._common(request, Visitor(lang)), error=error,
                      development=self._development, single_sign_on=self.config.get("SINGLE_SIGN_ON"))

    def _returning(self, request) -> str:
        """Where the identity platform sends the browser back (the console's address as people see it)."""
        origin = self.config.get("PUBLIC_ORIGIN") or f"{request.scheme}://{request.host}"
        return f"{origin}/sign-in/single-sign-on/return"

    def _spoken(self, visitor) -> dict:
        return {"Accept-Language": visitor.lang}

    def _lang(self, request) -> dict:
        return self._spoken(self.sessions.visitor(request))

    def _staff(self, api, shown) -> dict:
        """The staff list, and the one-time password of a person just added or reset (shown once)."""
        return {"accounts": api.every("accounts", "/accounts", "accounts"), "shown": shown,
                "roles": ROLES, "draft": {}}

    def _tokens(self, api, issued) -> dict:
        tokens = api.every("accounts", "/api-tokens", "api_tokens")
        return {"tokens": tokens, "issued": issued, "roles": ROLES,
                "people": pages.people_named(api, {t["issued_by"] for t in tokens})}

    def _common(self, request, visitor) -> dict:
        """What every page's layout shows."""
        return {"visitor": visitor, "names": pages.names(self.directory, visitor.lang),
                "county": labels.county(self.directory, visitor.lang),
                "path": request.full_path, "form_token": form_token(request),
                "poll_seconds": self.config["ALERT_POLL_SECONDS"],
                "opened_ms": pages.epoch_ms(pages.county_now())}

    def _json(self, request, read):
        """A JSON answer for the pages' scripts, refusals in the services' error format."""
        visitor = self.sessions.visitor(request)
        if visitor.staff is None:
            return error_response(401, "unauthorised", "sign in again")
        try:
            return json_response(read(self.backend.as_staff(visitor.token)))
        except BackendError as refused:
            return error_response(refused.status, refused.code, refused.message, refused.details)

    def _body(self, action: str, staff, case_id: str, form) -> dict:
        """The action's request body from its form, with what the console knows itself filled in."""
        body = pages.nested(form)
        body.pop("review_id", None)
        if action == "callback" and form.get("reached") in ("yes", "no"):  # none chosen: supervision refuses it
            body["reached"] = form["reached"] == "yes"
        elif action == "instruct" and staff.role == "leader":
            body["leader"] = staff.code  # a leader records their own instructions
        elif action == "notice":
            body["evidence"] = [case_id]
        return body


HELD_BACK = {"address": N_("too many failed sign-ins from your address: wait a minute and try again"),
             "account": N_("too many failed sign-ins with this user name: wait a minute and try again")}
PUBLIC_ANSWERS = {"rating": "rated", "review-request": "review_asked"}  # the answer, and what the page then says
ANSWERED_COOKIE = "lianxin_answered"
REVIEW_WINDOW = timedelta(days=REVIEW_REQUEST_DAYS)  # as supervision's rule (reviews.REQUEST_WITHIN): told, not decided


def _round(case_id: str, reopen_count) -> str:
    """A case's round of handling: a reopened case is rated again."""
    return f"{case_id}~{reopen_count or 0}"


def _answered(request, answer: str) -> set[str]:
    """The cases this browser has sent ``answer`` for."""
    return set(request.cookies.get(f"{ANSWERED_COOKIE}_{answer}", "").split(".")[-50:]) - {""}


STAFF_CHANGES = {"change": ("PATCH", "/accounts/{user_name}"), "disabling": ("POST", "/accounts/{user_name}/disabling"),
                 "enabling": ("POST", "/accounts/{user_name}/enabling"),
                 "password-reset": ("POST", "/accounts/{user_name}/password-reset")}


def _filled(form, keep_empty: tuple = ()) -> dict:
    """A form's fields as a request body, the empty ones left out (or sent as null, to clear them)."""
    return {k: (v.strip() or None) for k, v in form.items() if not k.startswith("_") and (v.strip() or k in keep_empty)}


def _say(visitor, message: str) -> str:
    return translations(visitor.lang).gettext(message)


def same_site(path: str | None) -> str:
    r"""``path`` if it is a path on this site, else the home page. Browsers drop tabs and newlines from a URL
    and read a backslash as a slash, so ``/\t/evil.example/`` would leave the site: a path with any of them
    is not taken."""
    if not path or not path.startswith("/") or any(c.isspace() or c == "\\" or not c.isprintable() for c in path):
        return "/"
    parts = urlsplit(path)
    return "/" if path.startswith("//") or parts.scheme or parts.netloc else path
