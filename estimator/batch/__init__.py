"""The batch: cost a folder of proposals (``run``) and write the consolidated Article 34
report (``report``)."""
