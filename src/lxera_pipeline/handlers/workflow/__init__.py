"""The course workflow's handlers: importing this package registers them."""
