import datetime

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.codes.errors import WorkdayError
from shuangsuiji.inspections.calendar import PUBLICATION_DAYS, deadline_after
from shuangsuiji.inspections.models import deadline_label


class Command(BaseCommand):
    help = (
        "打印自 DATE 起 N 个工作日后的期限（起算日不计入，民法典第二百零一条），默认 20 个工作日；"
        "缺少某年节假日安排时按法定节假日暂定，并写明缺少的年度"
    )

    def add_arguments(self, parser):
        parser.add_argument("date", help="结果产生日期 YYYY-MM-DD（1900—2200 年）")
        parser.add_argument("--days", default=str(PUBLICATION_DAYS), help="工作日数（0—365），默认 20")

    def handle(self, *args, date, days, **options):
        try:
            start = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"“{date[:40]}”不是有效日期，应为 YYYY-MM-DD", returncode=2) from None
        if not str(days).isdecimal() or len(str(days)) > 3 or int(days) > 365:
            raise CommandError(f"--days 应为 0—365 之间的整数，实为“{str(days)[:20]}”", returncode=2)
        try:
            deadline = deadline_after(start, int(days))
        except WorkdayError as e:
            raise CommandError(str(e), returncode=2) from None
        self.stdout.write(deadline_label(deadline.day, deadline.pending_year))
