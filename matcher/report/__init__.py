"""Report and publish: tables, CSV, HTML report, workbook, and the atomic publish of a run's files."""
