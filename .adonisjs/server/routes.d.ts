import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'discovery.show': { paramsTuple?: []; params?: {} }
    'discovery.oauth_server_metadata': { paramsTuple?: []; params?: {} }
    'jwks.show': { paramsTuple?: []; params?: {} }
    'static.stylesheet': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'token.issue': { paramsTuple?: []; params?: {} }
    'revoke.revoke': { paramsTuple?: []; params?: {} }
    'introspect.introspect': { paramsTuple?: []; params?: {} }
    'device_code.create': { paramsTuple?: []; params?: {} }
    'userinfo.show': { paramsTuple?: []; params?: {} }
    'me.show': { paramsTuple?: []; params?: {} }
    'session.home': { paramsTuple?: []; params?: {} }
    'login.show': { paramsTuple?: []; params?: {} }
    'login.store': { paramsTuple?: []; params?: {} }
    'session.destroy': { paramsTuple?: []; params?: {} }
    'signup.show': { paramsTuple?: []; params?: {} }
    'signup.store': { paramsTuple?: []; params?: {} }
    'email_verification.sent': { paramsTuple?: []; params?: {} }
    'email_verification.enter_code': { paramsTuple?: []; params?: {} }
    'email_verification.show': { paramsTuple: [ParamValue]; params: {'key': ParamValue} }
    'email_verification.confirm': { paramsTuple: [ParamValue]; params: {'key': ParamValue} }
    'email.index': { paramsTuple?: []; params?: {} }
    'email.update': { paramsTuple?: []; params?: {} }
    'grants.index': { paramsTuple?: []; params?: {} }
    'grants.update': { paramsTuple?: []; params?: {} }
    'logout.show': { paramsTuple?: []; params?: {} }
    'logout.submit': { paramsTuple?: []; params?: {} }
    'device.show': { paramsTuple?: []; params?: {} }
    'device.decide': { paramsTuple?: []; params?: {} }
    'authorize.show': { paramsTuple?: []; params?: {} }
    'authorize.store': { paramsTuple?: []; params?: {} }
  }
  GET: {
    'discovery.show': { paramsTuple?: []; params?: {} }
    'discovery.oauth_server_metadata': { paramsTuple?: []; params?: {} }
    'jwks.show': { paramsTuple?: []; params?: {} }
    'static.stylesheet': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'userinfo.show': { paramsTuple?: []; params?: {} }
    'me.show': { paramsTuple?: []; params?: {} }
    'session.home': { paramsTuple?: []; params?: {} }
    'login.show': { paramsTuple?: []; params?: {} }
    'signup.show': { paramsTuple?: []; params?: {} }
    'email_verification.sent': { paramsTuple?: []; params?: {} }
    'email_verification.show': { paramsTuple: [ParamValue]; params: {'key': ParamValue} }
    'email.index': { paramsTuple?: []; params?: {} }
    'grants.index': { paramsTuple?: []; params?: {} }
    'logout.show': { paramsTuple?: []; params?: {} }
    'device.show': { paramsTuple?: []; params?: {} }
    'authorize.show': { paramsTuple?: []; params?: {} }
  }
  HEAD: {
    'discovery.show': { paramsTuple?: []; params?: {} }
    'discovery.oauth_server_metadata': { paramsTuple?: []; params?: {} }
    'jwks.show': { paramsTuple?: []; params?: {} }
    'static.stylesheet': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'me.show': { paramsTuple?: []; params?: {} }
    'session.home': { paramsTuple?: []; params?: {} }
    'login.show': { paramsTuple?: []; params?: {} }
    'signup.show': { paramsTuple?: []; params?: {} }
    'email_verification.sent': { paramsTuple?: []; params?: {} }
    'email_verification.show': { paramsTuple: [ParamValue]; params: {'key': ParamValue} }
    'email.index': { paramsTuple?: []; params?: {} }
    'grants.index': { paramsTuple?: []; params?: {} }
    'logout.show': { paramsTuple?: []; params?: {} }
    'device.show': { paramsTuple?: []; params?: {} }
    'authorize.show': { paramsTuple?: []; params?: {} }
  }
  OPTIONS: {
    'token.issue': { paramsTuple?: []; params?: {} }
    'revoke.revoke': { paramsTuple?: []; params?: {} }
    'introspect.introspect': { paramsTuple?: []; params?: {} }
    'device_code.create': { paramsTuple?: []; params?: {} }
    'userinfo.show': { paramsTuple?: []; params?: {} }
  }
  POST: {
    'token.issue': { paramsTuple?: []; params?: {} }
    'revoke.revoke': { paramsTuple?: []; params?: {} }
    'introspect.introspect': { paramsTuple?: []; params?: {} }
    'device_code.create': { paramsTuple?: []; params?: {} }
    'userinfo.show': { paramsTuple?: []; params?: {} }
    'login.store': { paramsTuple?: []; params?: {} }
    'session.destroy': { paramsTuple?: []; params?: {} }
    'signup.store': { paramsTuple?: []; params?: {} }
    'email_verification.enter_code': { paramsTuple?: []; params?: {} }
    'email_verification.confirm': { paramsTuple: [ParamValue]; params: {'key': ParamValue} }
    'email.update': { paramsTuple?: []; params?: {} }
    'grants.update': { paramsTuple?: []; params?: {} }
    'logout.submit': { paramsTuple?: []; params?: {} }
    'device.decide': { paramsTuple?: []; params?: {} }
    'authorize.store': { paramsTuple?: []; params?: {} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}