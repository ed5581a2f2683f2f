"""Everything about licences: issuing and ending them (``lifecycle``), finding and revoking
them (``access``), their signed PDFs and labels (``documents``), the register's history and
expiry report (``register``), loading an existing register (``register_import``) and the
expiry reminders (``reminders``)."""
