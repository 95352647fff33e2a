/**
 * The peer: node-oidc-provider v9, configured like our app (same signing key
 * type, same access token format, same lifetimes, refresh rotation, refresh
 * tokens at code exchange, scope claims in the ID token), with a login and
 * consent interaction equivalent to ours (scrypt password check with our
 * parameters). Runs as a child process of bench/run.js, which talks to it over
 * IPC: `mint` (refresh tokens through the provider's models) and `fill`
 * (stored tokens for the growth scenario).
 *
 * `store`: `memory` keeps everything in the process (the provider's own
 * memory adapter); `redis` keeps it in Redis at 127.0.0.1:6379 through an
 * adapter of the shape the provider's documentation gives for Redis (one key
 * per entry with its TTL, a list per grant for revocation, hashes for the
 * consumable models), under a key prefix of this process's own, removed at exit.
 */
import http from 'node:http'
import { generateKeyPairSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import Provider from 'oidc-provider'
import Redis from 'ioredis'
/*
 * The default in-memory adapter keeps at most 1000 entries in an LRU, which
 * would evict the pre-minted refresh token pool and the tokens under test; the
 * same adapter over a large LRU stores every token, as our table does.
 */
import LRU from 'oidc-provider/lib/helpers/lru.js'
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js'

const { port, format, alg, clientSecret, user, store } = JSON.parse(process.argv[2])
const issuer = `http://127.0.0.1:${port}`
const CLIENT_ID = 'bench'
const REDIRECT_URI = 'https://rp.example/cb'
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 33554432 }
const scryptAsync = promisify(scrypt)

const storage = new LRU({ maxSize: 10_000_000 })

const redis =
  store === 'redis'
    ? new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: `oidc-bench-peer-${process.pid}:` })
    : null

/* Models whose entries a grant revocation removes, and those that are marked consumed */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
])
const CONSUMABLE = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
])

class RedisAdapter {
  constructor(model) {
    this.model = model
  }

  key(id) {
    return `${this.model}:${id}`
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id)
    const multi = redis.multi()
    if (CONSUMABLE.has(this.model)) multi.hset(key, { payload: JSON.stringify(payload) })
    else multi.set(key, JSON.stringify(payload))
    if (expiresIn) multi.expire(key, expiresIn)
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`
      multi.rpush(grantKey, key)
      if (expiresIn > (await redis.ttl(grantKey))) multi.expire(grantKey, expiresIn)
    }
    if (payload.userCode) {
      multi.set(`userCode:${payload.userCode}`, id)
      if (expiresIn) multi.expire(`userCode:${payload.userCode}`, expiresIn)
    }
    if (payload.uid) {
      multi.set(`uid:${payload.uid}`, id)
      if (expiresIn) multi.expire(`uid:${payload.uid}`, expiresIn)
    }
    await multi.exec()
  }

  async find(id) {
    if (!id) return undefined
    if (!CONSUMABLE.has(this.model)) {
      const stored = await redis.get(this.key(id))
      return stored ? JSON.parse(stored) : undefined
    }
    const { payload, ...fields } = await redis.hgetall(this.key(id))
    return payload ? { ...fields, ...JSON.parse(payload) } : undefined
  }

  async findByUid(uid) {
    return this.find(await redis.get(`uid:${uid}`))
  }

  async findByUserCode(userCode) {
    return this.find(await redis.get(`userCode:${userCode}`))
  }

  async consume(id) {
    await redis.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000))
  }

  async destroy(id) {
    await redis.del(this.key(id))
  }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`
    /* the list holds prefixed keys, as commands take them */
    const keys = await redis.lrange(grantKey, 0, -1)
    await redis.del(grantKey, ...keys)
  }
}

/** Deletes every key of this process's prefix */
async function dropRedisKeys() {
  const prefix = redis.options.keyPrefix
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await redis.del(...keys.map((key) => key.slice(prefix.length)))
  } while (cursor !== '0')
}

const salt = randomBytes(16)
const passwordHash = await scryptAsync(user.password, salt, 64, SCRYPT)
const account = { accountId: '1', ...user }

/* Both key types are published, as our JWKS publishes both database keys */
function privateJwk(type, keyAlg) {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { ...privateKey.export({ format: 'jwk' }), alg: keyAlg, use: 'sig' }
}
const keys = [privateJwk('rsa', 'RS256'), privateJwk('ec', 'ES256')]

const provider = new Provider(issuer, {
  adapter: redis ? RedisAdapter : (model) => new MemoryAdapter(model, storage),
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: clientSecret,
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: alg,
    },
  ],
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    if (sub !== account.accountId) return undefined
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: `${account.firstName} ${account.lastName}`,
          given_name: account.firstName,
          family_name: account.lastName,
          preferred_username: account.username,
          email: account.email,
          email_verified: true,
        }
      },
    }
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    /* v9 issues JWT access tokens only for a resource server; ours are audienced to the issuer */
    resourceIndicators:
      format === 'jwt'
        ? {
            enabled: true,
            defaultResource: async () => `${issuer}/api`,
            useGrantedResource: async () => true,
            getResourceServerInfo: async () => ({
              scope: 'api',
              audience: issuer,
              accessTokenTTL: 3600,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg } },
            }),
          }
        : { enabled: false },
  },
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    AuthorizationCode: 60,
    IdToken: 300,
    RefreshToken: 14 * 86400,
    Interaction: 3600,
    Session: 14 * 86400,
    Grant: 14 * 86400,
  },
})

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page(res, title, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`)
}

async function readForm(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

async function passwordMatches(password) {
  const actual = await scryptAsync(password ?? '', salt, 64, SCRYPT)
  return timingSafeEqual(actual, passwordHash)
}

/** /interaction/:uid (the page), /interaction/:uid/login and /interaction/:uid/confirm (the forms) */
async function interaction(req, res) {
  const [, uid, action] = /^\/interaction\/([^/?]+)(?:\/(login|confirm))?/.exec(req.url) ?? []
  const details = await provider.interactionDetails(req, res)
  if (!uid || details.uid !== uid) throw new Error('interaction mismatch')
  const prompt = details.prompt.name

  if (req.method === 'GET' && prompt === 'login') {
    return page(
      res,
      'Sign in',
      `<form method="post" action="/interaction/${uid}/login">
      <input type="text" name="login"><input type="password" name="password"><button type="submit">Sign In</button></form>`
    )
  }
  if (req.method === 'GET' && prompt === 'consent') {
    const scopes = details.prompt.details.missingOIDCScope ?? []
    return page(
      res,
      'Authorize',
      `<p>${escape(details.params.client_id)} asks for ${scopes.map(escape).join(', ')}</p>
      <form method="post" action="/interaction/${uid}/confirm"><button type="submit" name="action" value="grant">Authorize</button></form>`
    )
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req)
    const login = (form.get('login') ?? '').trim().toLowerCase()
    const known = login === account.email || login === account.username
    if (!(await passwordMatches(form.get('password'))) || !known)
      return page(res, 'Sign in', '<p>The login and/or password you specified are not correct.</p>')
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.accountId } },
      { mergeWithLastSubmission: false }
    )
  }
  if (req.method === 'POST' && action === 'confirm') {
    await readForm(req)
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({
          accountId: details.session.accountId,
          clientId: details.params.client_id,
        })
    const missing = details.prompt.details
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
    const grantId = await grant.save()
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true }
    )
  }
  res.writeHead(405).end()
}

/** Refresh tokens as a sign-in would leave them: one grant (family) each, the same user */
async function mint(count) {
  const client = await provider.Client.find(CLIENT_ID)
  const tokens = []
  for (let i = 0; i < count; i++) {
    const grant = new provider.Grant({ accountId: account.accountId, clientId: CLIENT_ID })
    grant.addOIDCScope('openid profile email')
    const grantId = await grant.save()
    const token = new provider.RefreshToken({
      accountId: account.accountId,
      client,
      grantId,
      gty: 'authorization_code',
      scope: 'openid profile email',
      authTime: Math.floor(Date.now() / 1000),
      expiresWithSession: false,
    })
    tokens.push(await token.save())
  }
  return tokens
}

/** Stored client_credentials tokens, the growth scenario's counterpart of 1M rows */
async function fill(count) {
  const client = await provider.Client.find(CLIENT_ID)
  for (let i = 0; i < count; i++) await new provider.ClientCredentials({ client }).save()
  return count
}

const handle = provider.callback()
const server = http.createServer((req, res) => {
  if (!req.url.startsWith('/interaction/')) return handle(req, res)
  interaction(req, res).catch((error) => {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.message ?? error))
  })
})

process.on('message', async ({ id, type, count }) => {
  try {
    const result = type === 'mint' ? await mint(count) : type === 'fill' ? await fill(count) : null
    process.send({ id, result })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
process.on('SIGTERM', () =>
  server.close(async () => {
    if (redis) await dropRedisKeys().finally(() => redis.quit())
    process.exit(0)
  })
)

server.listen(port, '127.0.0.1', () => process.send({ type: 'ready', clientId: CLIENT_ID }))
