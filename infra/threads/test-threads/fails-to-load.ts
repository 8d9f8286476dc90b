/** A thread for threads.test.ts whose module throws while loading, as a broken build would. */
throw new Error('this module does not load');
