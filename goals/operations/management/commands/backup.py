"""Write one archive with the database and every evidence file; see goals.operations.backups."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat as file_size
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.operations import backups


class Command(BaseCommand):
    help = gettext_lazy("备份数据库与全部佐证材料到一个归档文件(网站运行时也可备份)。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=gettext_lazy("归档文件路径;给出目录时写入 goals-日期-时间.tar.gz"))

    def handle(self, *args, path: str, **options) -> None:
        try:
            outcome = backups.create(Path(path))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("已备份到 %(path)s:%(size)s,数据库(%(vendor)s)和 %(files)s 个佐证文件,用时 %(seconds).1f 秒。")
            % {
                "path": outcome.path,
                "size": file_size(outcome.size),
                "vendor": outcome.vendor,
                "files": outcome.file_count,
                "seconds": outcome.seconds,
            }
        )
        self.stdout.write(f"SHA-256 {outcome.sha256}")
        for warning in outcome.warnings:
            self.stderr.write(warning)
