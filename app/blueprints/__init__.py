"""Blueprints: one package per audience or resource."""
