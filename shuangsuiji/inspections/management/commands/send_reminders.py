"""Meant for cron (e.g. every working morning): remind departments of results due within 5 working days or overdue,
and of drafts still open after their task's inspection window closed."""

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.draws.services import draws_lists_publish_due
from shuangsuiji.inspections.calendar import missing_years, missing_years_message
from shuangsuiji.inspections.models import InspectionRecord, Notification, draft_overdue_label
from shuangsuiji.inspections.selectors import drafts_overdue, due_soon, overdue
from shuangsuiji.inspections.services import visits_publish_due


class Command(BaseCommand):
    help = "提醒：5 个工作日内到期及已逾期未公示的检查结果、检查期结束仍为暂存的记录（站内消息与电子邮件）"

    def handle(self, *args, **options):
        today = timezone.localdate()
        published = visits_publish_due(today=today)
        if published:
            self.stdout.write(f"已按期公示联合检查 {published} 项（未完成的部门标注为尚未报送）")
        lists = draws_lists_publish_due(today=today)
        if lists:
            self.stdout.write(f"检查期已结束，已公示抽取名单 {lists} 份（并推送省级平台）")
        records = InspectionRecord.objects.select_related("object", "department")
        reminders = [
            (label, rec, f"【{label}】{rec.object.name} 的检查结果应于 {rec.deadline_label} 前公示")
            for label, qs in (("即将到期", due_soon(records, today)), ("已逾期", overdue(records, today)))
            for rec in qs
        ]
        # A draft left open after the inspection window is overdue although no deadline runs for it yet.
        reminders += [
            (
                "草稿逾期",
                rec,
                f"【{draft_overdue_label(rec.selection.draw.scheme.window_end)}】{rec.object.name} 的检查记录仍为暂存，"
                "请尽快完成录入并提交审核",
            )
            for rec in drafts_overdue(records.select_related("selection__draw__scheme"), today)
        ]
        sent = 0
        for label, rec, message in reminders:
            users = User.objects.filter(
                department_id=rec.department_id,
                is_active=True,
                role__in=[Role.REVIEWER, Role.DEPT_ADMIN, Role.CLERK],
            )
            for user in users:
                key = f"record:{rec.pk}:{label}:{today.isoformat()}"
                try:
                    with transaction.atomic():
                        Notification.objects.create(
                            user=user, message=message, key=key, link=f"/records/{rec.pk}/"
                        )
                except IntegrityError:
                    continue  # already reminded today: running the command twice sends nothing twice
                sent += 1
                if user.email:
                    send_mail("双随机平台提醒", message, None, [user.email], fail_silently=True)
        self.stdout.write(f"已发送提醒 {sent} 条")
        self._calendar(today)

    def _calendar(self, today) -> None:
        """From 1 November, tell the system administrators and the joint office that next year is not entered."""
        years = missing_years(today)
        if not years:
            return
        message = missing_years_message(years)
        self.stdout.write(f"节假日：{message}")
        users = User.objects.filter(is_active=True, role__in=[Role.SYSADMIN, Role.OFFICE])
        for user in users:
            Notification.objects.get_or_create(
                user=user,
                key=f"calendar-missing:{'-'.join(map(str, years))}",
                defaults={
                    "message": message[:300],
                    "link": "/calendar/" if user.role == Role.SYSADMIN else "",
                },
            )
