namespace StarGanLab.Data;

/// <summary>Which part of a data set: the training images or the held-out images used for sample grids and metrics.</summary>
public enum Split { Train, Val }
