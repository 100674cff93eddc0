"""Encode the model and solve it: the problem, the hard rules, the engines, candidate sets and the certificate, the independent checker."""
