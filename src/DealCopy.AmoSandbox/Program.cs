// placeholder replaced by the sandbox runnable in the next commits
return 0;
