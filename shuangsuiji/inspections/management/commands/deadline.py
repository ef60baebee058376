import datetime

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.codes.errors import UnknownCalendarYear
from shuangsuiji.inspections.calendar import PUBLICATION_DAYS, deadline_after


class Command(BaseCommand):
    help = "打印自 DATE 起 N 个工作日后的期限（起算日不计入，民法典第二百零一条），默认 20 个工作日"

    def add_arguments(self, parser):
        parser.add_argument("date", help="结果产生日期 YYYY-MM-DD")
        parser.add_argument("--days", type=int, default=PUBLICATION_DAYS)

    def handle(self, *args, date, days, **options):
        try:
            start = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"“{date}”不是有效日期，应为 YYYY-MM-DD") from None
        if days < 0:
            raise CommandError("--days 不能为负数")
        try:
            self.stdout.write(deadline_after(start, days).isoformat())
        except UnknownCalendarYear as e:
            raise CommandError(str(e)) from None
