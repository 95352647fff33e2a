/**
 * The server-side record of each provider session (user_sessions, keyed by
 * the `sid` of its ID tokens). A session cookie is honoured only while its
 * row lives: logout, a password change and deactivation delete rows, and the
 * idle and absolute lifetimes are checked here, so that no copy of a cookie
 * outlives its session, whatever store holds the cookie's data.
 */
import { DateTime } from 'luxon'
import { sessionLifetimes } from '#config/session'
import { sqlTime } from '#models/columns'
import {
  changeRows,
  deleteInBatches,
  insertRows,
  selectRow,
  selectRows,
} from '#database/statements'

/** last_seen_at is written at most this often: it only has to be right to the minute */
const SEEN_PRECISION_SECONDS = 60
const EPOCH = DateTime.fromSeconds(0)

export type NewUserSession = {
  sid: string
  userId: number
  ip: string | null
  userAgent: string | null
}

export async function recordUserSession(session: NewUserSession) {
  const now = DateTime.utc()
  await insertRows('user_sessions', [
    {
      sid: session.sid,
      user_id: session.userId,
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 255) ?? null,
      created_at: sqlTime(now),
      last_seen_at: sqlTime(now),
      expires_at: sqlTime(now.plus({ seconds: sessionLifetimes.absolute })),
    },
  ])
}

/** The moment before which a session counts as idle for too long */
function idleSince(now: DateTime) {
  return sessionLifetimes.idle ? now.minus({ seconds: sessionLifetimes.idle }) : EPOCH
}

/** Whether the user's session `sid` is live; a dead one is deleted, a live one marked as seen */
export async function checkUserSession(sid: string, userId: number): Promise<boolean> {
  const now = DateTime.utc()
  const row = await selectRow<{ id: number; live: number | string; seen: number | string }>(
    `select id,
       case when expires_at > ? and last_seen_at > ? then 1 else 0 end as live,
       case when last_seen_at > ? then 1 else 0 end as seen
     from user_sessions where sid = ? and user_id = ?`,
    [
      sqlTime(now),
      sqlTime(idleSince(now)),
      sqlTime(now.minus({ seconds: SEEN_PRECISION_SECONDS })),
      sid,
      userId,
    ]
  )
  if (!row) return false
  if (Number(row.live) !== 1) {
    await changeRows('delete from user_sessions where id = ?', [row.id])
    return false
  }
  if (Number(row.seen) !== 1)
    await changeRows('update user_sessions set last_seen_at = ? where id = ?', [
      sqlTime(now),
      row.id,
    ])
  return true
}

export type UserSessionView = {
  sid: string
  ip: string | null
  userAgent: string | null
  createdAt: DateTime
  lastSeenAt: DateTime
}

/** The user's sessions, newest first (the sessions page) */
export async function listUserSessions(userId: number): Promise<UserSessionView[]> {
  const rows = await selectRows<{
    sid: string
    ip: string | null
    user_agent: string | null
    created_at: Date | string
    last_seen_at: Date | string
  }>(
    'select sid, ip, user_agent, created_at, last_seen_at from user_sessions where user_id = ? order by created_at desc, id desc',
    [userId]
  )
  return rows.map((row) => ({
    sid: row.sid,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: readTime(row.created_at),
    lastSeenAt: readTime(row.last_seen_at),
  }))
}

/** A DATETIME as the drivers give it back: a Date (mysql2, pg) or text (SQLite), in UTC */
const readTime = (value: Date | string) =>
  value instanceof Date
    ? DateTime.fromJSDate(value, { zone: 'utc' })
    : DateTime.fromSQL(value, { zone: 'utc' })

export async function endUserSession(sid: string) {
  await changeRows('delete from user_sessions where sid = ?', [sid])
}

/**
 * Ends every session of the user, but the one of `except`; returns the sids
 * that ended (for back-channel logout).
 */
export async function endUserSessions(
  userId: number,
  options: { except?: string } = {}
): Promise<string[]> {
  const rows = await selectRows<{ id: number; sid: string }>(
    'select id, sid from user_sessions where user_id = ?',
    [userId]
  )
  const ended = rows.filter((row) => row.sid !== options.except)
  for (const row of ended) await changeRows('delete from user_sessions where id = ?', [row.id])
  return ended.map((row) => row.sid)
}

/** How many of the user's sessions are live (user:show) */
export async function countLiveUserSessions(userId: number): Promise<number> {
  const now = DateTime.utc()
  const row = await selectRow<{ total: number | string }>(
    'select count(*) as total from user_sessions where user_id = ? and expires_at > ? and last_seen_at > ?',
    [userId, sqlTime(now), sqlTime(idleSince(now))]
  )
  return Number(row?.total ?? 0)
}

/** For tokens:prune: sessions past either lifetime */
export function pruneUserSessions(now: DateTime) {
  return deleteInBatches('user_sessions', (query) =>
    query
      .where('expires_at', '<', sqlTime(now))
      .orWhere('last_seen_at', '<', sqlTime(idleSince(now)))
  )
}
