"""``flask licences import|render-pdfs|claim-codes``: the licence register.

A refused import exits with status 1 and loads nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.progress import run_with_progress
from app.licences import documents as licence_documents
from app.licences import register_import
from app.services import enterprises
from app.spreadsheet import write_csv
from permits.identifiers import is_region_code, region_prefix

licences_cli = AppGroup("licences", help="许可证登记")


@licences_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def licences_import(file: Path) -> None:
    """Load an existing licence register (UTF-8 CSV); a file with any bad row loads nothing."""
    summary = run_with_progress(lambda progress: register_import.import_register(file, progress))
    if not summary.accepted:
        for problem in summary.problems:
            click.echo(str(problem), err=True)
        refused = f"{summary.refused}行有误，" if summary.refused else ""
        click.echo(f"导入被拒绝：{refused}未导入任何数据。请改正后重新导入。", err=True)
        sys.exit(1)
    click.echo(
        f"导入完成：共{summary.rows}行，新增{summary.loaded}张，未变{summary.unchanged}张，"
        f"拒绝0行；新建企业{summary.enterprises_created}家。"
    )
    # The register's licences get their signed PDFs now, not on someone's first download.
    rendered = run_with_progress(licence_documents.render_missing_pdfs)
    click.echo(f"已生成电子证照{rendered}份。")


@licences_cli.command("render-pdfs")
def licences_render_pdfs() -> None:
    """Render and sign the PDF of every licence that has none (after an interrupted import)."""
    rendered = run_with_progress(licence_documents.render_missing_pdfs)
    click.echo(f"已生成电子证照{rendered}份。")


@licences_cli.command("claim-codes")
@click.option("--region", default="", help="行政区划代码，如 120000；默认全部地区")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def licences_claim_codes(region: str, out: Path) -> None:
    """List the check codes that let unclaimed imported enterprises claim themselves (CSV)."""
    if region and not is_region_code(region):
        click.echo(f"行政区划代码“{region}”不正确", err=True)
        sys.exit(1)
    prefix = region_prefix(region) if region else ""
    rows = enterprises.claim_codes(prefix)
    header = ("许可证编号", "企业名称", "统一社会信用代码", "行政区划", "核验码")
    count = write_csv(out, header, rows)
    click.echo(f"已生成 {out}：尚未认领企业的许可证 {count} 张。核验码须当面或邮寄交给企业本人。")
