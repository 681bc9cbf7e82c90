import functools

from django.views.decorators.csrf import csrf_exempt

from schutznetz.core.middleware import mark_public


def public_page(view=None, *, no_store=True, form=False):
    """Mark a view as public: no cookies, quick exit, optionally no caching.

    ``form=True`` is for public forms (event registration, evidence status):
    they are exempt from Django's CSRF cookie, since a cookie is exactly what a
    public page must not set and there is no session for a forged request to
    ride on. Those views must not rely on a logged-in user.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            mark_public(request, no_store=no_store)
            return func(request, *args, **kwargs)

        # Lets tests find every public view (see core/tests/test_public.py).
        wrapper.schutznetz_public = True
        wrapper.schutznetz_no_store = no_store
        return csrf_exempt(wrapper) if form else wrapper

    return decorate(view) if view is not None else decorate
