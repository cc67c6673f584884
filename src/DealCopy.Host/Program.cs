// The gateway and actor host are not built yet (see the "Copy deals end to end" issue).
// Until then ./run.sh starts the amoCRM sandbox alone; this program says so instead of pretending.
Console.Error.WriteLine("DealCopy.Host: the copy service is not implemented yet; ./run.sh starts the amoCRM sandbox.");
return 2;
