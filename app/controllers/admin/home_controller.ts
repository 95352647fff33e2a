import type { HttpContext } from '@adonisjs/core/http'
import { staffUser } from '#http/console_pages'
import { userLabel } from '#services/admin/display'
import { loadUser } from '#services/accounts/users'

/** /admin/: where the console's sections start */
export default class HomeController {
  async show(ctx: HttpContext) {
    const staff = await staffUser(ctx)
    return ctx.view.render('admin/home', { staff: userLabel(await loadUser(staff.id)) })
  }
}
