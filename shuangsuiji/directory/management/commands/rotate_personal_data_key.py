from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import system_user
from shuangsuiji.codes.errors import PersonalDataError
from shuangsuiji.personal.rotation import rotate_personal_data


class Command(BaseCommand):
    help = (
        "个人信息密钥轮换：把新密钥设为 PERSONAL_DATA_KEY、旧密钥放入 PERSONAL_DATA_OLD_KEYS 后运行，"
        "用新密钥重新加密所有身份证号、手机号并重算密钥索引（一个事务，写入审计）；完成后即可移除旧密钥。"
    )

    def handle(self, *args, **options):
        try:
            report = rotate_personal_data(actor=system_user())
        except PersonalDataError as e:
            raise CommandError(f"{e}（未做任何修改）") from None
        self.stdout.write(
            f"已检查 {report.rows} 行，其中 {report.rewritten} 行改用当前密钥重新加密；密钥索引已全部重算。"
        )
