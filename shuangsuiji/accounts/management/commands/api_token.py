from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangsuiji.accounts.models import ApiToken, User, system_user
from shuangsuiji.accounts.services import (
    READ_ONLY,
    ApiTokenError,
    api_token_create,
    api_token_revoke,
    api_token_set_limits,
    token_state,
)


class Command(BaseCommand):
    help = "管理 /api/v1 接口令牌：create 创建（令牌只显示一次）、revoke 吊销、list 列出"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建令牌")
        create.add_argument("--user", required=True, help="令牌所属用户名；接口按该用户的部门和权限执行")
        create.add_argument("--name", required=True, help="用途，如：省级平台对接")
        create.add_argument("--days", type=int, default=90, help="有效天数（1—366），默认 90")
        create.add_argument("--read-only", action="store_true", help="只能调用 GET（只读）")
        create.add_argument(
            "--allow",
            action="append",
            default=None,
            help="只允许这些接口，可重复，如 --allow 'POST /api/v1/records/' --allow 'GET /api/v1/'",
        )
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("prefix", help="令牌前缀（list 中显示）或完整令牌")
        sub.add_parser("list", help="列出令牌（不含令牌本身）")
        limits = sub.add_parser("limits", help="设置令牌每分钟的请求上限（不填则恢复默认值）")
        limits.add_argument("prefix", help="令牌前缀")
        limits.add_argument("--per-minute", default="", help="一般接口每分钟上限")
        limits.add_argument("--bulk-per-minute", default="", help="批量读取（/api/v1/bulk/）每分钟上限")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApiTokenError as e:
            raise CommandError(str(e)) from None

    def _create(self, options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        scope = READ_ONLY if options["read_only"] else options["allow"]
        token, key = api_token_create(
            actor=system_user(), user=user, name=options["name"], days=options["days"], scope=scope
        )
        self.stdout.write(
            f"已为 {user.username} 创建令牌“{token.name}”（前缀 {token.prefix}），有效期至 "
            f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}，范围：{'、'.join(token.scope)}。"
        )
        self.stdout.write("令牌只显示这一次，请立即妥善保存 / shown once, store it now:")
        self.stdout.write(key)

    def _revoke(self, options):
        token = api_token_revoke(actor=system_user(), prefix=options["prefix"])
        self.stdout.write(f"已吊销 {token.user.username} 的令牌“{token.name}”（前缀 {token.prefix}）。")

    def _limits(self, options):
        tokens = list(
            ApiToken.objects.filter(prefix=options["prefix"].removeprefix("ssj_")[:8], revoked=False)
        )
        if len(tokens) != 1:
            raise CommandError(f"没有（或有多个）前缀为 {options['prefix']} 的有效令牌")
        token = api_token_set_limits(
            actor=system_user(),
            token=tokens[0],
            per_minute=options["per_minute"],
            bulk_per_minute=options["bulk_per_minute"],
        )
        self.stdout.write(
            f"令牌 {token.prefix}：每分钟 {token.rate_per_minute or '默认'} 次，"
            f"批量读取每分钟 {token.bulk_rate_per_minute or '默认'} 次。"
        )

    def _list(self, options):
        for t in ApiToken.objects.select_related("user").order_by("id"):
            self.stdout.write(
                f"{t.prefix}  {token_state(t)}  {t.user.username}  {t.name}  "
                f"范围：{'、'.join(t.scope) or '全部'}  最近使用：{t.last_used_at or '从未使用'}"
            )
