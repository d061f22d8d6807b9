"""The command line the end-to-end scripts share: the tools under test and
a work directory."""

import argparse
import os


def parse_tool_args(doc):
    """--ddlc DDLC --ddl-run DDL_RUN --work DIR (created), with `doc` as
    the help text."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-run", dest="ddl_run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args
