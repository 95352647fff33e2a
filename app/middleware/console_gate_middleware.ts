export { ConsoleGateMiddleware as default } from '#middleware/staff_middleware'
