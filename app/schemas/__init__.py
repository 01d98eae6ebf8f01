"""marshmallow schemas per resource; input and output apart where they differ."""
