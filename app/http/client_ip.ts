/**
 * The client IP and the request origin behind proxies, as allauth decides them:
 * forwarded headers are believed only when ALLAUTH_TRUSTED_PROXY_COUNT or
 * ALLAUTH_TRUSTED_CLIENT_IP_HEADER says so (docs/security.md S21).
 */
import type { HttpRequest } from '@adonisjs/core/http'
import oidcConfig from '#config/oidc'

function header(request: HttpRequest, name: string) {
  const value = request.header(name)
  return typeof value === 'string' && value.trim() ? value.trim() : null
}

export function clientIp(request: HttpRequest): string {
  const socketIp = request.request.socket.remoteAddress ?? 'unknown'
  if (oidcConfig.trustedClientIpHeader) {
    return header(request, oidcConfig.trustedClientIpHeader) ?? socketIp
  }
  if (oidcConfig.trustedProxyCount > 0) {
    const forwarded = (header(request, 'x-forwarded-for') ?? '')
      .split(',')
      .map((ip) => ip.trim())
      .filter(Boolean)
    return forwarded.at(-oidcConfig.trustedProxyCount) ?? socketIp
  }
  return socketIp
}

/** `<scheme>://<host>` of the request (used for the issuer only when APP_URL is unset) */
export function requestOrigin(request: HttpRequest): string {
  const trustForwarded = oidcConfig.trustedProxyCount > 0
  const proto =
    (trustForwarded && header(request, 'x-forwarded-proto')?.split(',')[0].trim()) ||
    ('encrypted' in request.request.socket && request.request.socket.encrypted ? 'https' : 'http')
  const host =
    (trustForwarded && header(request, 'x-forwarded-host')?.split(',')[0].trim()) ||
    header(request, 'host') ||
    'localhost'
  return `${proto}://${host}`
}
