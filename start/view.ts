/*
 * Views in production: the component list is read once
 * (app/services/views/component_list.ts). Preloaded after the providers have
 * mounted the views and configured the cache.
 */
import app from '@adonisjs/core/services/app'
import edge from 'edge.js'
import { keepComponentList } from '#services/views/component_list'

if (app.inProduction) keepComponentList(edge)
