"""Use cases: each public function is one transaction (load, decide, apply effects, commit)."""
