"""Restore an archive written by `backup` into an empty database and media directory."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.operations import backups


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


class Command(BaseCommand):
    help = gettext_lazy(
        "从备份归档恢复数据库与佐证材料:先校验全部内容;目标数据库和佐证材料目录须为空,除非加 --force。"
    )
    # The checks would open the database before the restore decides what to do with it.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=gettext_lazy("backup 命令写出的归档文件"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("目标不为空时也恢复:删除目标数据库中的全部表和佐证材料目录中的全部文件"),
        )
        parser.add_argument("--check", action="store_true", help=gettext_lazy("只校验归档,不恢复任何内容"))
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help=gettext_lazy(
                "也接受没有签名或签名无法验证的归档(例如升级前写成的备份);只用于确知来源的文件"
            ),
        )

    def handle(self, *args, path: str, force: bool, check: bool, trust_unsigned: bool, **options) -> None:
        source = Path(path)
        if trust_unsigned:
            self.stderr.write(_("注意:未验证归档的签名(--trust-unsigned),请确认它来自可信的备份。"))
        try:
            if check:
                manifest = backups.verify(source, trust_unsigned=trust_unsigned)
                self.stdout.write(
                    _("归档完好:%(created)s 的 %(vendor)s 备份,共 %(files)s 个文件,校验和全部相符。")
                    % {
                        "created": _local(datetime.datetime.fromisoformat(manifest["created_at"])),
                        "vendor": manifest["database"]["vendor"],
                        "files": len(manifest["files"]),
                    }
                )
                if manifest["signed"]:
                    self.stdout.write(_("签名有效:归档由持有签名密钥的本系统写成,之后未被改动。"))
                if manifest["encrypted"]:
                    self.stdout.write(_("归档已加密,已用 BACKUP_ENCRYPTION_KEY 解密校验。"))
                return
            outcome = backups.restore(source, force=force, trust_unsigned=trust_unsigned)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "已从 %(path)s(%(size)s,备份于 %(created)s)恢复数据库(%(vendor)s)和 %(files)s 个佐证文件,"
                "用时 %(seconds).1f 秒。"
            )
            % {
                "path": outcome.path,
                "size": filesizeformat(outcome.size),
                "created": _local(outcome.created_at),
                "vendor": outcome.vendor,
                "files": outcome.file_count,
                "seconds": outcome.seconds,
            }
        )
        for warning in outcome.warnings:
            self.stderr.write(warning)
        if outcome.older_schema:
            self.stdout.write(
                _("备份的数据库结构比本程序旧(缺少 %(count)s 个迁移):请接着运行 manage.py migrate。")
                % {"count": len(outcome.older_schema)}
            )
