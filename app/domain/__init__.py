"""Domain helpers the use cases share: who sees what, materials, the statutory clock, the
office's time, the timeline, the outbox and the single commit point. Below the use cases:
nothing here imports ``app.services``, ``app.licences``, ``app.jobs`` or the edge."""
