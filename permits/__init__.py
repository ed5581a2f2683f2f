"""What the law says, as plain Python: catalogue, identifiers, statutory clock, numbering."""
