"""Response headers on every page, not just /embed (issue 12, clickjacking and remote images).

- `X-Content-Type-Options: nosniff` on every response.
- Every HTML page (the Gradio chat at `/`, `/docs`, anything Gradio serves as HTML) gets the same
  `frame-ancestors` as `/embed` (ADVISOR_ALLOWED_ORIGINS), so framing the full chat cannot get
  around the allowlist. A page that sets its own Content-Security-Policy keeps it, with our
  frame-ancestors added when it has none (/docs).
- The chat at `/` also gets `img-src 'self' data: blob:`: a Markdown image in an answer or in a
  question (`![](https://elsewhere/track.png)`) must not make the reader's browser fetch it.

Pure ASGI: only the response start is touched, streamed bodies pass as they are.
"""

from __future__ import annotations

from advisor.web.security import OriginPolicy


def page_csp(policy: OriginPolicy, path: str) -> str:
    parts = [policy.frame_ancestors_directive]
    if not path.startswith("/docs"):  # Swagger UI shows its logo from its CDN; it quotes no content
        parts.append("img-src 'self' data: blob:")
    parts.append("base-uri 'self'")
    return "; ".join(parts)


class SecurityHeaders:
    def __init__(self, app, policy: OriginPolicy):
        self.app, self.policy = app, policy

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", page_csp(self.policy, scope["path"]).encode()))
                elif content_type.startswith(b"text/html"):  # its own policy (/docs): framing still ours
                    frame = self.policy.frame_ancestors_directive.encode()
                    headers = [
                        (
                            n,
                            v + b"; " + frame
                            if n.lower() == b"content-security-policy" and b"frame-ancestors" not in v
                            else v,
                        )
                        for n, v in headers
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_headers(app, policy: OriginPolicy) -> None:
    app.add_middleware(SecurityHeaders, policy=policy)
