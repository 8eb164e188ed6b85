"""The one exception type for bad user input; its message is shown to the user as is."""


class InputError(ValueError):
    """Invalid image, size, scale, path or option. ``str(err)`` is a complete sentence."""
