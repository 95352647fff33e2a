/**
 * The views' component list in production: read from disk once, not on
 * every renderer (every page, every request that shares its CSP nonce).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Edge } from 'edge.js'
import { keepComponentList } from '#services/views/component_list'

function viewsWith(...components: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'views-'))
  mkdirSync(join(dir, 'components'))
  for (const name of components) writeFileSync(join(dir, 'components', `${name}.edge`), name)
  return dir
}

const tagNames = (edge: Edge) =>
  edge.loader.listComponents().flatMap(({ components }) => components.map((c) => c.tagName))

test.group('Views: the component list', () => {
  test('edge walks the views directory for each renderer; kept, the first list serves', ({
    assert,
    cleanup,
  }) => {
    const dir = viewsWith('card')
    cleanup(() => rmSync(dir, { recursive: true, force: true }))
    const edge = Edge.create({ cache: true })
    edge.mount(dir)
    edge.createRenderer()
    writeFileSync(join(dir, 'components', 'badge.edge'), 'badge')
    assert.sameMembers(tagNames(edge), ['card', 'badge'])

    keepComponentList(edge)
    assert.sameMembers(tagNames(edge), ['card', 'badge'])
    rmSync(join(dir, 'components', 'badge.edge'))
    edge.createRenderer()
    assert.sameMembers(tagNames(edge), ['card', 'badge'])
    assert.equal(edge.createRenderer().renderRawSync('@!card()'), 'card')
  })
})
