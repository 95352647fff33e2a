/**
 * The error a call throws, checked to be of the expected class, so that a
 * unit test can assert on its fields. A call that returns, or throws
 * something else, fails the test.
 */
export function thrown<E extends Error>(
  type: abstract new (...args: never[]) => E,
  run: () => unknown
): E {
  try {
    run()
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`)
}

/** The inputs `run` accepts; every other one must make it throw an error of `type` */
export function acceptedBy<T>(
  type: abstract new (...args: never[]) => Error,
  inputs: T[],
  run: (input: T) => unknown
): T[] {
  return inputs.filter((input) => {
    try {
      run(input)
      return true
    } catch (error) {
      if (error instanceof type) return false
      throw error
    }
  })
}

/** The error a promise rejects with, checked like `thrown` */
export async function rejected<E extends Error>(
  type: abstract new (...args: never[]) => E,
  promise: Promise<unknown>
): Promise<E> {
  try {
    await promise
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name}, but the promise resolved`)
}
