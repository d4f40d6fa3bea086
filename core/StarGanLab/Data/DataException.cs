namespace StarGanLab.Data;

/// <summary>A data set cannot be used as configured; the message names the path and what is wrong.</summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
