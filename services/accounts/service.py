"""accounts: staff accounts, their sessions and the machines' API tokens, and the audit log.

The other services ask ``identify`` (RPC) who an issued token stands for; they keep deciding by role and
unit themselves (lianxin.auth)."""
from pathlib import Path

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc, RpcConsumer
from sqlalchemy import select
from werkzeug.wrappers import Response

from lianxin.auth import Auth, Authenticator, token_hash
from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import MAX_PAGE, Pager, api, page, parse_body, query_param
from lianxin.messaging import queue_arguments
from lianxin.numbers import row_id
from lianxin.service import OfficeService
from lianxin.vocabulary import OFFICE, ROLES

from . import records, signing_in, single_sign_on, staffing
from .models import Account, AuditEntry, Token
from .refusals import SignInRefused
from .schemas import (
    AccountChangeIn,
    AccountIn,
    ApiTokenIn,
    PasswordChangeIn,
    SignInIn,
    SingleSignOnIn,
    SingleSignOnStartIn,
)

DATABASE = Database(Path(__file__).with_name("migrations"))
ADMINISTRATOR = ("administrator",)
AUDIT_LOG = Pager(AuditEntry.id, lambda number: row_id(number, "AU"), "AU00000012", newest_first=True)
ACCOUNTS = Pager(Account.user_name)
API_TOKENS = Pager(Token.id, lambda number: row_id(number, "T"), "T000012", newest_first=True)


class LocalAuth(Auth):
    """Accounts answers who its own tokens stand for from its database, not by asking itself."""
    database = DATABASE

    def get_dependency(self, worker_ctx):
        return Authenticator(self.credentials, self._look_up)

    def _look_up(self, digest):
        with self.database.unit_of_work() as uow:
            return signing_in.identify(uow, digest)


class SignInGuard(DependencyProvider):
    """One Guard per container, so its counts are shared by every worker."""

    def setup(self):
        config = self.container.config
        self.guard = signing_in.Guard(config["ADDRESS_ATTEMPTS_PER_MINUTE"], config["LOCKOUT_FAILURES"],
                                      config["LOCKOUT_MINUTES"])

    def get_dependency(self, worker_ctx):
        return self.guard


class ReplicatedRpcConsumer(RpcConsumer):
    """``rpc-accounts``, the queue every service's token checks wait in, is a quorum queue in a cluster
    (``LIANXIN_QUEUE_TYPE``) like the events' queues, so it outlives the loss of a node."""

    def setup(self):
        super().setup()
        self.queue.queue_arguments = queue_arguments(self.container.config.get("QUEUE_TYPE", "classic"))


class ReplicatedRpc(Rpc):
    rpc_consumer = ReplicatedRpcConsumer()


rpc = ReplicatedRpc.decorator


class AccountsService(OfficeService):
    name = "accounts"

    uow = UnitOfWorkProvider(DATABASE)
    auth = LocalAuth()
    guard = SignInGuard()
    platform = single_sign_on.PlatformProvider()

    @rpc
    def identify(self, token_sha256):
        """Who an issued token stands for ({code, role, unit, village, enterprise, must_change_password}), or
        None."""
        with self.uow as uow:
            return signing_in.identify(uow, token_sha256)

    # --- people signing in ------------------------------------------------------------------------------

    @api("POST", "/sessions")
    def sign_in(self, request):
        incoming = parse_body(request, SignInIn)
        with self.uow as uow:
            account, secret = signing_in.sign_in(uow, self.guard, incoming, request.remote_addr or "?",
                                                 self.config)
            uow.commit()
            return 201, self._session(account, secret)

    @api("POST", "/single-sign-on/authorizations")
    def start_single_sign_on(self, request):
        """Where to send the browser to sign in at the identity platform, and what to keep until it returns."""
        incoming = parse_body(request, SingleSignOnStartIn)
        return 201, single_sign_on.require(self.platform).authorization(incoming.redirect_uri)

    @api("POST", "/single-sign-on/sessions")
    def single_sign_on(self, request):
        """A session for the person the identity platform vouches for (the code it gave, verified here)."""
        incoming = parse_body(request, SingleSignOnIn)
        platform = single_sign_on.require(self.platform)
        address = request.remote_addr or "?"
        self.guard.check(address)
        try:
            claims = platform.claims(incoming)
        except SignInRefused:
            self.guard.failed_from(address)
            raise
        with self.uow as uow:
            account, secret = single_sign_on.sign_in(uow, platform, claims, self.config["SESSION_SECONDS"])
            uow.commit()
            return 201, self._session(account, secret)

    @api("DELETE", "/sessions/current")
    def sign_out(self, request):
        """Ends the session the bearer token is (whoever it is, even one who must change their password)."""
        with self.uow as uow:
            signing_in.sign_out(uow, _bearer_hash(request))
            uow.commit()
        return Response(status=204)

    @api("GET", "/sessions/current", roles=ROLES)
    def whoami(self, request):
        """Who the token stands for; a person who must change their password is told so (401)."""
        return request.staff.model_dump(exclude={"token_sha256"})

    @api("POST", "/password")
    def change_password(self, request):
        """Also for a person who must change it: their session token is enough, with the current password."""
        incoming = parse_body(request, PasswordChangeIn)
        with self.uow as uow:
            account, secret = signing_in.change_password(uow, _bearer_hash(request), incoming,
                                                         self.config["PASSWORD_MIN_LENGTH"],
                                                         self.config["SESSION_SECONDS"])
            uow.commit()
            return self._session(account, secret)

    @api("GET", "/people", roles=ROLES)
    def people(self, request):
        """The names of the people ``user_name=`` asks for (repeated, at most a page's worth), so a page shows who
        acted by name; disabled people too (history keeps them), never their contacts."""
        names = request.args.getlist("user_name")[:MAX_PAGE]
        with self.uow as uow:
            found = uow.session.execute(select(Account.user_name, Account.display_name)
                                        .where(Account.user_name.in_(names)).order_by(Account.user_name))
            return {"people": [{"user_name": u, "display_name": d} for u, d in found]}

    # --- the administrator ------------------------------------------------------------------------------

    @api("GET", "/accounts", roles=ADMINISTRATOR)
    def list_accounts(self, request):
        """The office's people by user name; ``role=`` those of one role."""
        query, limit = ACCOUNTS.page(request, select(Account))
        if role := query_param(request, "role"):
            query = query.where(Account.role == role)
        with self.uow as uow:
            return page("accounts", [records.account_view(a) for a in uow.session.scalars(query)], limit, "user_name")

    @api("POST", "/accounts", roles=ADMINISTRATOR)
    def add_account(self, request):
        incoming = parse_body(request, AccountIn)
        with self.uow as uow:
            account, first = staffing.add(uow, self.directory, incoming, request.staff.code)
            uow.commit()
            return 201, {**records.account_view(account), "one_time_password": first}

    @api("GET", "/accounts/<string:user_name>", roles=ADMINISTRATOR)
    def show_account(self, request, user_name):
        with self.uow as uow:
            return records.account_view(records.account(uow, user_name))

    @api("PATCH", "/accounts/<string:user_name>", roles=ADMINISTRATOR)
    def change_account(self, request, user_name):
        changes = parse_body(request, AccountChangeIn)
        with self.uow as uow:
            account = staffing.change(uow, self.directory, user_name, changes, request.staff.code)
            uow.commit()
            return records.account_view(account)

    @api("POST", "/accounts/<string:user_name>/disabling", roles=ADMINISTRATOR)
    def disable(self, request, user_name):
        return self._set_active(request, user_name, False)

    @api("POST", "/accounts/<string:user_name>/enabling", roles=ADMINISTRATOR)
    def enable(self, request, user_name):
        return self._set_active(request, user_name, True)

    @api("POST", "/accounts/<string:user_name>/password-reset", roles=ADMINISTRATOR)
    def reset_password(self, request, user_name):
        with self.uow as uow:
            account, one_time = staffing.reset_password(uow, user_name, request.staff.code)
            uow.commit()
            return {**records.account_view(account), "one_time_password": one_time}

    @api("GET", "/api-tokens", roles=ADMINISTRATOR)
    def list_tokens(self, request):
        """The machines' tokens, the newest issued first (revoked ones too)."""
        query, limit = API_TOKENS.page(request, select(Token).where(Token.kind == "api"))
        with self.uow as uow:
            return page("api_tokens", [records.token_view(t) for t in uow.session.scalars(query)], limit, "token_id")

    @api("POST", "/api-tokens", roles=ADMINISTRATOR)
    def issue_token(self, request):
        incoming = parse_body(request, ApiTokenIn)
        with self.uow as uow:
            token, secret = staffing.issue_token(uow, self.directory, incoming, request.staff.code)
            uow.commit()
            return 201, {**records.token_view(token), "token": secret}

    @api("POST", "/api-tokens/<string:token_id>/revocation", roles=ADMINISTRATOR)
    def revoke_token(self, request, token_id):
        with self.uow as uow:
            token = staffing.revoke_token(uow, token_id, request.staff.code)
            uow.commit()
            return records.token_view(token)

    @api("GET", "/audit-log", roles=OFFICE)
    def audit_log(self, request):
        """Every change to accounts and tokens, newest first; ``subject=`` one person's or token's."""
        query, limit = AUDIT_LOG.page(request, select(AuditEntry))
        if subject := query_param(request, "subject"):
            query = query.where(AuditEntry.subject == subject)
        with self.uow as uow:
            return page("entries", [records.audit_view(e) for e in uow.session.scalars(query)], limit, "entry_id")

    def _set_active(self, request, user_name, active):
        with self.uow as uow:
            account = staffing.set_active(uow, user_name, active, request.staff.code)
            uow.commit()
            return records.account_view(account)

    def _session(self, account, secret):
        return {"token": secret, "user_name": account.user_name, "display_name": account.display_name,
                "role": account.role, "must_change_password": account.must_change_password,
                "expires_in": self.config["SESSION_SECONDS"]}


def _bearer_hash(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token_hash(token.strip()) if scheme.lower() == "bearer" else ""
