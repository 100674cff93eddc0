"""Explain and review a proposal: alternatives with exact costs, explanations, reasons for the unmatched."""
